package storage

// The ffmpeg and ffprobe tools the media worker runs for videos and
// HEIC photos: finding them, running them with bounded output, and what
// ffprobe reports.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

func (s *MediaService) ffmpegPath() string {
	name := "ffmpeg"
	if s.cfg.FFmpeg != "" {
		name = s.cfg.FFmpeg
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	return p
}

func (s *MediaService) ffprobePath() string {
	name := "ffprobe"
	if s.cfg.FFprobe != "" {
		name = s.cfg.FFprobe
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	return p
}

var errNoFFmpeg = errors.New("ffmpeg is not installed on the server, so videos and HEIC photos get no preview " +
	"(the original is kept and downloads as usual; an operator installs it with: apt-get install ffmpeg)")

// runFFmpeg runs ffmpeg (or ffprobe) and returns its output; on failure the
// error carries the end of what it printed.
func runTool(ctx context.Context, bin string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &limitedBuffer{max: 4096, buf: &stderr}
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w: %s", filepath.Base(bin), err, lastLine(stderr.String()))
	}
	return stdout.Bytes(), nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return clip(s, 300)
}

// limitedBuffer keeps the last max bytes written (ffmpeg's complaints).
type limitedBuffer struct {
	max int
	buf *bytes.Buffer
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.buf.Write(p)
	if over := l.buf.Len() - l.max; over > 0 {
		l.buf.Next(over)
	}
	return len(p), nil
}

// scaleFilter fits a frame into side×side keeping even dimensions.
func scaleFilter(side int) string {
	return fmt.Sprintf("scale='if(gt(iw,ih),min(%d,iw),-2)':'if(gt(iw,ih),-2,min(%d,ih))'", side, side)
}

// ffmpegFrame writes one frame at second `at` of src as a JPEG fitting
// side×side.
func (s *MediaService) ffmpegFrame(ctx context.Context, src, dst string, at float64, side int) error {
	bin := s.ffmpegPath()
	if bin == "" {
		return errNoFFmpeg
	}
	args := []string{"-nostdin", "-v", "error", "-y"}
	if at > 0 {
		args = append(args, "-ss", strconv.FormatFloat(at, 'f', 3, 64))
	}
	args = append(args, "-i", src, "-frames:v", "1", "-vf", scaleFilter(side), "-q:v", "3", dst)
	_, err := runTool(ctx, bin, args...)
	return err
}

// probe is what ffprobe reports of a video.
type probe struct {
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
		PixFmt    string `json:"pix_fmt"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
	} `json:"format"`
}

func (p probe) codec(kind string) (name, pixFmt string) {
	for _, st := range p.Streams {
		if st.CodecType == kind {
			return st.CodecName, st.PixFmt
		}
	}
	return "", ""
}

func (p probe) seconds() float64 {
	d, _ := strconv.ParseFloat(p.Format.Duration, 64)
	return d
}

// browserPlayable reports whether every supported browser (Chromium,
// Safari, WeChat) plays the video's streams: H.264 in 8-bit 4:2:0 with AAC
// or MP3 sound, or none.
func (p probe) browserPlayable() bool {
	v, pix := p.codec("video")
	a, _ := p.codec("audio")
	return v == "h264" && (pix == "yuv420p" || pix == "yuvj420p") && (a == "" || a == "aac" || a == "mp3")
}
