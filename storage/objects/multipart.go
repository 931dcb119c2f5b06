package objects

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"leitai/models"
)

// Multipart is a store that takes an object in numbered parts, each checked
// against its MD5 as it arrives, and joins them when told which parts make
// the object. Both stores implement it: MinIO with S3 multipart uploads, the
// filesystem store with part files. Nothing is read back to verify the
// whole object: the per-part checksums and the part list do that.
type Multipart interface {
	// CreateMultipart starts an upload for key and returns its id.
	CreateMultipart(ctx context.Context, key, contentType string) (string, error)
	// PutPart stores part n (1…MaxParts) of exactly size bytes from r and
	// checks it against md5sum (16 bytes): a mismatch is a KindInvalid
	// error and stores nothing. Sending a part again replaces it.
	PutPart(ctx context.Context, key, uploadID string, n int, r io.Reader, size int64, md5sum []byte) (models.UploadPart, error)
	// ListParts returns the parts stored so far, by number.
	ListParts(ctx context.Context, key, uploadID string) ([]models.UploadPart, error)
	// CompleteMultipart joins parts (ascending numbers, each with the ETag
	// its PutPart returned) into the object at key and ends the upload. A
	// part missing or different from the list is a KindInvalid error.
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []models.UploadPart) (models.ObjectInfo, error)
	// AbortMultipart ends the upload and removes its parts; aborting an
	// upload that no longer exists is not an error.
	AbortMultipart(ctx context.Context, key, uploadID string) error
}

// PartPresigner signs part uploads that a browser sends straight to the
// store (MinIO only).
type PartPresigner interface {
	// PresignPart returns a URL on which a PUT of part n with the header
	// Content-MD5 set to md5sum (base64) is accepted until expiry passes.
	PresignPart(ctx context.Context, key, uploadID string, n int, md5sum []byte, expiry time.Duration) (models.PresignedPart, error)
}

// MaxParts is the most parts an upload may have (the S3 limit).
const MaxParts = 10000

// MinPartSize is the smallest part but the last that S3 accepts.
const MinPartSize = 5 << 20

var (
	_ Multipart     = (*FS)(nil)
	_ Multipart     = (*MinIO)(nil)
	_ PartPresigner = (*MinIO)(nil)
)

func checkPart(n int, size int64, md5sum []byte) error {
	switch {
	case n < 1 || n > MaxParts:
		return models.Errorf(models.KindInvalid, "part number %d out of range 1–%d", n, MaxParts)
	case size < 0:
		return models.Errorf(models.KindInvalid, "part size must be known (got %d)", size)
	case len(md5sum) != md5.Size:
		return models.Errorf(models.KindInvalid, "part checksum must be an MD5 of 16 bytes")
	}
	return nil
}

func corruptedPart(n int) error {
	return models.Errorf(models.KindInvalid, "corrupted chunk: part %d does not match its Content-MD5; retry it", n)
}

// checkPartList rejects an empty or unordered completion list.
func checkPartList(parts []models.UploadPart) error {
	if len(parts) == 0 {
		return models.Errorf(models.KindInvalid, "no parts to complete")
	}
	for i, p := range parts {
		if p.Number < 1 || p.Number > MaxParts || (i > 0 && p.Number <= parts[i-1].Number) {
			return models.Errorf(models.KindInvalid, "part list not in ascending order at part %d", p.Number)
		}
	}
	return nil
}

// multipartETag is the S3 ETag of a multipart object: the MD5 of the parts'
// MD5s, then "-" and the number of parts.
func multipartETag(parts []models.UploadPart) string {
	h := md5.New()
	for _, p := range parts {
		b, _ := hex.DecodeString(p.ETag)
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
}

// ---- filesystem store ----

// fsUploadsDir holds one folder per upload in progress; its name starts
// with a dot, so no key leads into it.
const fsUploadsDir = ".uploads"

// fsUpload is the record of one upload in progress.
type fsUpload struct {
	Key         string    `json:"key"`
	ContentType string    `json:"content_type"`
	Created     time.Time `json:"created"`
}

func validUploadID(id string) error {
	if len(id) != 32 {
		return models.Errorf(models.KindNotFound, "no such upload")
	}
	if _, err := hex.DecodeString(id); err != nil || strings.ToLower(id) != id {
		return models.Errorf(models.KindNotFound, "no such upload")
	}
	return nil
}

func fsUploadDir(id string) string { return filepath.Join(fsUploadsDir, id) }

// partName is the file of part n with the given MD5: the name carries the
// checksum, so a completion names exactly the bytes it was told about even
// while the same part is being sent again.
func partName(id string, n int, md5hex string) string {
	return filepath.Join(fsUploadDir(id), fmt.Sprintf("%05d-%s.part", n, md5hex))
}

// CreateMultipart implements Multipart.
func (s *FS) CreateMultipart(ctx context.Context, key, contentType string) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	ct, err := normalizeContentType(contentType)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	root, err := s.openRoot()
	if err != nil {
		return "", err
	}
	defer root.Close()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	id := hex.EncodeToString(b[:])
	if err := root.MkdirAll(fsUploadDir(id), fsDirPerm); err != nil {
		return "", fmt.Errorf("fs multipart %s: %w", key, err)
	}
	data, _ := json.Marshal(fsUpload{Key: key, ContentType: ct, Created: time.Now().UTC()})
	if err := root.WriteFile(filepath.Join(fsUploadDir(id), "upload.json"), data, fsFilePerm); err != nil {
		return "", fmt.Errorf("fs multipart %s: %w", key, err)
	}
	return id, nil
}

// openUpload checks that the upload exists and belongs to key.
func (s *FS) openUpload(ctx context.Context, key, id string) (*os.Root, fsUpload, error) {
	if err := ValidateKey(key); err != nil {
		return nil, fsUpload{}, err
	}
	if err := validUploadID(id); err != nil {
		return nil, fsUpload{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fsUpload{}, err
	}
	root, err := s.openRoot()
	if err != nil {
		return nil, fsUpload{}, err
	}
	data, err := root.ReadFile(filepath.Join(fsUploadDir(id), "upload.json"))
	if err != nil {
		root.Close()
		if isMissing(err) {
			return nil, fsUpload{}, models.Errorf(models.KindNotFound, "no such upload")
		}
		return nil, fsUpload{}, fmt.Errorf("fs upload %s: %w", id, err)
	}
	var up fsUpload
	if err := json.Unmarshal(data, &up); err != nil || up.Key != key {
		root.Close()
		return nil, fsUpload{}, models.Errorf(models.KindNotFound, "no such upload")
	}
	return root, up, nil
}

// PutPart implements Multipart.
func (s *FS) PutPart(ctx context.Context, key, uploadID string, n int, r io.Reader, size int64, md5sum []byte) (models.UploadPart, error) {
	if err := checkPart(n, size, md5sum); err != nil {
		return models.UploadPart{}, err
	}
	root, _, err := s.openUpload(ctx, key, uploadID)
	if err != nil {
		return models.UploadPart{}, err
	}
	defer root.Close()
	body, err := newExactReader(ctx, r, size)
	if err != nil {
		return models.UploadPart{}, err
	}
	tmp, f, err := createTemp(root, fsUploadDir(uploadID))
	if err != nil {
		return models.UploadPart{}, fsError("put part", key, err)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			_ = root.Remove(tmp)
		}
	}()
	h := md5.New()
	if _, err := io.CopyBuffer(io.MultiWriter(f, h), body, make([]byte, fsCopyBuffer)); err != nil {
		if body.failure != nil {
			return models.UploadPart{}, body.failure
		}
		return models.UploadPart{}, fmt.Errorf("fs put part %d of %s: %w", n, key, err)
	}
	if err := body.complete(); err != nil {
		return models.UploadPart{}, err
	}
	sum := h.Sum(nil)
	if !slices.Equal(sum, md5sum) {
		return models.UploadPart{}, corruptedPart(n)
	}
	if err := f.Sync(); err != nil {
		return models.UploadPart{}, fmt.Errorf("fs put part: sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return models.UploadPart{}, fmt.Errorf("fs put part: close: %w", err)
	}
	md5hex := hex.EncodeToString(sum)
	name := partName(uploadID, n, md5hex)
	if err := root.Rename(tmp, name); err != nil {
		return models.UploadPart{}, fsError("put part", key, err)
	}
	done = true
	// Earlier versions of the part are dead weight now.
	entries, _ := fs.ReadDir(root.FS(), filepath.ToSlash(fsUploadDir(uploadID)))
	prefix := fmt.Sprintf("%05d-", n)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && e.Name() != filepath.Base(name) {
			_ = root.Remove(filepath.Join(fsUploadDir(uploadID), e.Name()))
		}
	}
	return models.UploadPart{Number: n, Size: size, ETag: md5hex, MD5: md5hex}, nil
}

// ListParts implements Multipart.
func (s *FS) ListParts(ctx context.Context, key, uploadID string) ([]models.UploadPart, error) {
	root, _, err := s.openUpload(ctx, key, uploadID)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	entries, err := fs.ReadDir(root.FS(), filepath.ToSlash(fsUploadDir(uploadID)))
	if err != nil {
		return nil, fmt.Errorf("fs list parts: %w", err)
	}
	var out []models.UploadPart
	for _, e := range entries {
		num, sum, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".part"), "-")
		if !ok || !strings.HasSuffix(e.Name(), ".part") {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		p := models.UploadPart{Number: n, Size: fi.Size(), ETag: sum, MD5: sum}
		if len(out) > 0 && out[len(out)-1].Number == n {
			out[len(out)-1] = p // a resend racing its cleanup: either is whole
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// CompleteMultipart implements Multipart. The parts are joined by the
// kernel (copy_file_range), not read back through this process.
func (s *FS) CompleteMultipart(ctx context.Context, key, uploadID string, parts []models.UploadPart) (models.ObjectInfo, error) {
	if err := checkPartList(parts); err != nil {
		return models.ObjectInfo{}, err
	}
	root, up, err := s.openUpload(ctx, key, uploadID)
	if err != nil {
		return models.ObjectInfo{}, err
	}
	defer root.Close()
	name := objectPath(key)
	if err := root.MkdirAll(filepath.Dir(name), fsDirPerm); err != nil {
		return models.ObjectInfo{}, fsError("complete", key, err)
	}
	tmp, f, err := createTemp(root, filepath.Dir(name))
	if err != nil {
		return models.ObjectInfo{}, fsError("complete", key, err)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			_ = root.Remove(tmp)
		}
	}()
	var total int64
	for _, p := range parts {
		pf, err := root.Open(partName(uploadID, p.Number, p.ETag))
		if err != nil {
			if isMissing(err) {
				return models.ObjectInfo{}, models.Errorf(models.KindInvalid, "part %d is missing or differs from the one recorded: send it again", p.Number)
			}
			return models.ObjectInfo{}, fmt.Errorf("fs complete %s: %w", key, err)
		}
		fi, err := pf.Stat()
		if err == nil && p.Size > 0 && fi.Size() != p.Size {
			err = models.Errorf(models.KindInvalid, "part %d has %d bytes, not %d", p.Number, fi.Size(), p.Size)
		}
		if err == nil {
			var n int64
			n, err = io.Copy(f, pf)
			total += n
		}
		pf.Close()
		if err != nil {
			return models.ObjectInfo{}, fmt.Errorf("fs complete %s: %w", key, err)
		}
	}
	if err := f.Sync(); err != nil {
		return models.ObjectInfo{}, fmt.Errorf("fs complete %s: sync: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return models.ObjectInfo{}, fmt.Errorf("fs complete %s: close: %w", key, err)
	}
	meta := fsMeta{ContentType: up.ContentType, ETag: multipartETag(parts)}
	if err := writeMeta(root, key, meta); err != nil {
		return models.ObjectInfo{}, fmt.Errorf("fs complete %s: %w", key, err)
	}
	if err := root.Rename(tmp, name); err != nil {
		return models.ObjectInfo{}, fsError("complete", key, err)
	}
	done = true
	_ = root.RemoveAll(fsUploadDir(uploadID))
	return models.ObjectInfo{Key: key, Size: total, ContentType: up.ContentType, ETag: meta.ETag, ModTime: time.Now().UTC()}, nil
}

// AbortMultipart implements Multipart.
func (s *FS) AbortMultipart(ctx context.Context, key, uploadID string) error {
	root, _, err := s.openUpload(ctx, key, uploadID)
	if errors.Is(err, models.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	defer root.Close()
	if err := root.RemoveAll(fsUploadDir(uploadID)); err != nil {
		return fmt.Errorf("fs abort %s: %w", key, err)
	}
	return nil
}

// ---- MinIO ----

// CreateMultipart implements Multipart.
func (m *MinIO) CreateMultipart(ctx context.Context, key, contentType string) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	ct, err := normalizeContentType(contentType)
	if err != nil {
		return "", err
	}
	id, err := m.core.NewMultipartUpload(ctx, m.bucket, key, minio.PutObjectOptions{ContentType: ct})
	if err != nil {
		return "", fmt.Errorf("minio multipart %s: %w", key, m.mapError(err, key))
	}
	return id, nil
}

// mapUploadError adds the multipart codes to mapError.
func (m *MinIO) mapUploadError(err error, key string, n int) error {
	switch minio.ToErrorResponse(err).Code {
	case "NoSuchUpload":
		return models.Errorf(models.KindNotFound, "no such upload")
	case "BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch":
		return corruptedPart(n)
	case "InvalidPart":
		return models.Errorf(models.KindInvalid, "a part is missing or differs from the one recorded: send it again")
	case "InvalidPartOrder":
		return models.Errorf(models.KindInvalid, "part list not in ascending order")
	case "EntityTooSmall":
		return models.Errorf(models.KindInvalid, "every part but the last must be at least %d bytes", MinPartSize)
	}
	return m.mapError(err, key)
}

// PutPart implements Multipart. MinIO checks the part against Content-MD5
// itself, so the payload is sent unsigned (no second pass for SHA-256).
func (m *MinIO) PutPart(ctx context.Context, key, uploadID string, n int, r io.Reader, size int64, md5sum []byte) (models.UploadPart, error) {
	if err := ValidateKey(key); err != nil {
		return models.UploadPart{}, err
	}
	if err := checkPart(n, size, md5sum); err != nil {
		return models.UploadPart{}, err
	}
	if err := validMinIOUploadID(uploadID); err != nil {
		return models.UploadPart{}, err
	}
	var body io.Reader
	var exact *exactReader
	if br, ok := r.(interface {
		io.ReadSeeker
		Len() int
	}); ok && int64(br.Len()) == size {
		body = br // a whole chunk in memory: minio-go may rewind it to retry
	} else {
		e, err := newExactReader(ctx, r, size)
		if err != nil {
			return models.UploadPart{}, err
		}
		body, exact = e, e
	}
	p, err := m.core.PutObjectPart(ctx, m.bucket, key, uploadID, n, body, size, minio.PutObjectPartOptions{
		Md5Base64:            base64.StdEncoding.EncodeToString(md5sum),
		DisableContentSha256: true,
	})
	if exact != nil && exact.failure != nil {
		return models.UploadPart{}, exact.failure
	}
	if err != nil {
		return models.UploadPart{}, fmt.Errorf("minio put part %d of %s: %w", n, key, m.mapUploadError(err, key, n))
	}
	md5hex := hex.EncodeToString(md5sum)
	return models.UploadPart{Number: n, Size: size, ETag: p.ETag, MD5: md5hex}, nil
}

// validMinIOUploadID rejects ids that S3 never hands out (empty, path
// parts, odd characters) before they reach a request.
func validMinIOUploadID(id string) error {
	if id == "" || len(id) > 1024 || strings.Contains(id, "..") {
		return models.Errorf(models.KindNotFound, "no such upload")
	}
	for _, c := range id {
		ok := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strings.ContainsRune("-_.=+", c)
		if !ok {
			return models.Errorf(models.KindNotFound, "no such upload")
		}
	}
	return nil
}

// ListParts implements Multipart.
func (m *MinIO) ListParts(ctx context.Context, key, uploadID string) ([]models.UploadPart, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	if err := validMinIOUploadID(uploadID); err != nil {
		return nil, err
	}
	var out []models.UploadPart
	marker := 0
	for {
		res, err := m.core.ListObjectParts(ctx, m.bucket, key, uploadID, marker, 1000)
		if err != nil {
			return nil, fmt.Errorf("minio list parts of %s: %w", key, m.mapUploadError(err, key, 0))
		}
		for _, p := range res.ObjectParts {
			etag := strings.Trim(p.ETag, `"`)
			part := models.UploadPart{Number: p.PartNumber, Size: p.Size, ETag: etag}
			if b, err := hex.DecodeString(etag); err == nil && len(b) == md5.Size {
				part.MD5 = etag // unencrypted S3 parts: the ETag is the MD5
			}
			out = append(out, part)
		}
		if !res.IsTruncated || res.NextPartNumberMarker <= marker {
			return out, nil
		}
		marker = res.NextPartNumberMarker
	}
}

// CompleteMultipart implements Multipart. MinIO refuses a list whose ETags
// do not match the stored parts.
func (m *MinIO) CompleteMultipart(ctx context.Context, key, uploadID string, parts []models.UploadPart) (models.ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return models.ObjectInfo{}, err
	}
	if err := validMinIOUploadID(uploadID); err != nil {
		return models.ObjectInfo{}, err
	}
	if err := checkPartList(parts); err != nil {
		return models.ObjectInfo{}, err
	}
	list := make([]minio.CompletePart, len(parts))
	var total int64
	for i, p := range parts {
		list[i] = minio.CompletePart{PartNumber: p.Number, ETag: p.ETag}
		total += p.Size
	}
	info, err := m.core.CompleteMultipartUpload(ctx, m.bucket, key, uploadID, list, minio.PutObjectOptions{})
	if err != nil {
		return models.ObjectInfo{}, fmt.Errorf("minio complete %s: %w", key, m.mapUploadError(err, key, 0))
	}
	mod := info.LastModified
	if mod.IsZero() {
		mod = time.Now()
	}
	return models.ObjectInfo{Key: key, Size: total, ETag: info.ETag, ModTime: mod.UTC()}, nil
}

// AbortMultipart implements Multipart.
func (m *MinIO) AbortMultipart(ctx context.Context, key, uploadID string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if validMinIOUploadID(uploadID) != nil {
		return nil
	}
	err := m.core.AbortMultipartUpload(ctx, m.bucket, key, uploadID)
	if err == nil || minio.ToErrorResponse(err).Code == "NoSuchUpload" {
		return nil
	}
	return fmt.Errorf("minio abort %s: %w", key, m.mapUploadError(err, key, 0))
}

// PresignPart implements PartPresigner: a PUT on the public endpoint with
// Content-MD5 among the signed headers, so MinIO takes exactly the bytes the
// browser announced.
func (m *MinIO) PresignPart(ctx context.Context, key, uploadID string, n int, md5sum []byte, expiry time.Duration) (models.PresignedPart, error) {
	if err := ValidateKey(key); err != nil {
		return models.PresignedPart{}, err
	}
	if err := checkPart(n, 0, md5sum); err != nil {
		return models.PresignedPart{}, err
	}
	d, err := linkExpiry(expiry)
	if err != nil {
		return models.PresignedPart{}, err
	}
	sum := base64.StdEncoding.EncodeToString(md5sum)
	q := url.Values{"partNumber": {strconv.Itoa(n)}, "uploadId": {uploadID}}
	u, err := m.public.PresignHeader(ctx, http.MethodPut, m.bucket, key, d, q, http.Header{"Content-Md5": {sum}})
	if err != nil {
		return models.PresignedPart{}, fmt.Errorf("minio presign part %d of %s: %w", n, key, m.mapError(err, key))
	}
	return models.PresignedPart{Method: http.MethodPut, URL: u.String(), Headers: map[string]string{"Content-MD5": sum},
		ExpiresAt: time.Now().Add(d).UTC()}, nil
}
