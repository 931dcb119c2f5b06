package objects

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"leitai/models"
)

const (
	// fsMetaDir holds one JSON sidecar per object, mirroring the key tree.
	// Keys cannot start a segment with a dot, so it never collides with one.
	fsMetaDir = ".meta"
	// fsTempPrefix names files being written; they are renamed into place.
	fsTempPrefix = ".tmp-"
	// fsLinkContext separates this link signature from any other use of the
	// secret.
	fsLinkContext = "leitai-fs-link-v1"
	fsDirPerm     = 0o750
	fsFilePerm    = 0o640
	fsCopyBuffer  = 256 << 10
)

// FS is the filesystem object store of the embedded default: the object
// under key lives at root/key, its content type and ETag in a sidecar under
// root/.meta. Writes go to a temporary file in the object's directory and
// are renamed into place, so a partial object is never visible. All file
// access goes through os.Root, so no path (nor symlink) leads outside root.
type FS struct {
	root    string
	secret  []byte
	baseURL string
}

var _ Store = (*FS)(nil)

// fsMeta is the sidecar of one object.
type fsMeta struct {
	ContentType string `json:"content_type"`
	ETag        string `json:"etag"`
}

// NewFS returns a store rooted at root, creating the directory when needed.
// secret (at least 16 bytes) signs download links; baseURL is the address
// people use for the server that serves /files/ (empty gives
// root-relative links).
func NewFS(root string, secret []byte, baseURL string) (*FS, error) {
	if root == "" {
		return nil, errors.New("fs store: root directory not set")
	}
	if len(secret) < 16 {
		return nil, errors.New("fs store: link secret must be at least 16 bytes")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("fs store: %w", err)
	}
	if err := os.MkdirAll(abs, fsDirPerm); err != nil {
		return nil, fmt.Errorf("fs store: %w", err)
	}
	return &FS{
		root:    abs,
		secret:  append([]byte(nil), secret...),
		baseURL: strings.TrimRight(baseURL, "/"),
	}, nil
}

// Root returns the directory the store keeps its objects in.
func (s *FS) Root() string { return s.root }

// openRoot opens the store's directory for one operation. Opening it each
// time keeps working when the directory is replaced (a restore) and holds
// no descriptor between calls.
func (s *FS) openRoot() (*os.Root, error) {
	r, err := os.OpenRoot(s.root)
	if err != nil {
		return nil, unavailable(fmt.Errorf("open %s: %w", s.root, err))
	}
	return r, nil
}

func objectPath(key string) string { return filepath.FromSlash(key) }

func metaPath(key string) string { return filepath.FromSlash(path.Join(fsMetaDir, key) + ".json") }

// Put implements Store.
func (s *FS) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (models.ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return models.ObjectInfo{}, err
	}
	ct, err := normalizeContentType(contentType)
	if err != nil {
		return models.ObjectInfo{}, err
	}
	body, err := newExactReader(ctx, r, size)
	if err != nil {
		return models.ObjectInfo{}, err
	}
	root, err := s.openRoot()
	if err != nil {
		return models.ObjectInfo{}, err
	}
	defer root.Close()

	name := objectPath(key)
	if err := root.MkdirAll(filepath.Dir(name), fsDirPerm); err != nil {
		if isMissing(err) || errors.Is(err, fs.ErrExist) {
			// An object sits where a directory of the key must go.
			return models.ObjectInfo{}, models.Errorf(models.KindConflict, "object key %s conflicts with an existing object", key)
		}
		return models.ObjectInfo{}, fmt.Errorf("fs put %s: %w", key, err)
	}
	tmp, f, err := createTemp(root, filepath.Dir(name))
	if err != nil {
		return models.ObjectInfo{}, fsError("put", key, err)
	}
	committed := false
	defer func() {
		if !committed {
			f.Close()
			_ = root.Remove(tmp)
		}
	}()

	hash := sha256.New()
	if _, err := io.CopyBuffer(io.MultiWriter(f, hash), body, make([]byte, fsCopyBuffer)); err != nil {
		if body.failure != nil {
			return models.ObjectInfo{}, body.failure
		}
		return models.ObjectInfo{}, fmt.Errorf("fs put %s: %w", key, err)
	}
	if err := body.complete(); err != nil {
		return models.ObjectInfo{}, err
	}
	if err := f.Sync(); err != nil {
		return models.ObjectInfo{}, fmt.Errorf("fs put %s: sync: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return models.ObjectInfo{}, fmt.Errorf("fs put %s: close: %w", key, err)
	}
	meta := fsMeta{ContentType: ct, ETag: hex.EncodeToString(hash.Sum(nil))}
	if err := writeMeta(root, key, meta); err != nil {
		return models.ObjectInfo{}, fmt.Errorf("fs put %s: %w", key, err)
	}
	if err := root.Rename(tmp, name); err != nil {
		return models.ObjectInfo{}, fsError("put", key, err)
	}
	committed = true

	info := models.ObjectInfo{Key: key, Size: size, ContentType: ct, ETag: meta.ETag, ModTime: time.Now().UTC()}
	if fi, err := root.Stat(name); err == nil {
		info.ModTime = fi.ModTime().UTC()
	}
	return info, nil
}

// createTemp creates a new, empty temporary file in dir (relative to root).
func createTemp(root *os.Root, dir string) (string, *os.File, error) {
	for range 10 {
		var b [12]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", nil, err
		}
		name := filepath.Join(dir, fsTempPrefix+hex.EncodeToString(b[:]))
		f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fsFilePerm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		return name, f, nil
	}
	return "", nil, errors.New("no free temporary file name")
}

// writeMeta replaces the sidecar of key atomically.
func writeMeta(root *os.Root, key string, meta fsMeta) error {
	data, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("encode meta: %w", err)
	}
	name := metaPath(key)
	if err := root.MkdirAll(filepath.Dir(name), fsDirPerm); err != nil {
		return fmt.Errorf("meta dir: %w", err)
	}
	tmp, f, err := createTemp(root, filepath.Dir(name))
	if err != nil {
		return fmt.Errorf("meta: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		_ = root.Remove(tmp)
		return fmt.Errorf("meta: %w", err)
	}
	return nil
}

// readMeta returns the sidecar of key; a missing sidecar (an object copied
// in by hand) gives the default content type.
func readMeta(root *os.Root, key string) (fsMeta, error) {
	data, err := root.ReadFile(metaPath(key))
	if errors.Is(err, fs.ErrNotExist) {
		return fsMeta{ContentType: defaultContentType}, nil
	}
	if err != nil {
		return fsMeta{}, fmt.Errorf("read meta: %w", err)
	}
	var meta fsMeta
	if err := json.Unmarshal(data, &meta); err != nil {
		return fsMeta{}, fmt.Errorf("decode meta: %w", err)
	}
	if meta.ContentType == "" {
		meta.ContentType = defaultContentType
	}
	return meta, nil
}

// Get implements Store.
func (s *FS) Get(ctx context.Context, key string, rng *models.ByteRange) (io.ReadCloser, models.ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return nil, models.ObjectInfo{}, err
	}
	if err := checkRange(rng); err != nil {
		return nil, models.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, models.ObjectInfo{}, err
	}
	root, err := s.openRoot()
	if err != nil {
		return nil, models.ObjectInfo{}, err
	}
	defer root.Close()

	f, err := root.Open(objectPath(key))
	if err != nil {
		return nil, models.ObjectInfo{}, fsError("get", key, err)
	}
	info, err := s.describe(root, key, f)
	if err != nil {
		f.Close()
		return nil, models.ObjectInfo{}, err
	}
	if rng == nil {
		return f, info, nil
	}
	offset, length, err := resolveRange(*rng, info.Size)
	if err != nil {
		f.Close()
		return nil, models.ObjectInfo{}, err
	}
	return rangeReader{Reader: io.NewSectionReader(f, offset, length), Closer: f}, info, nil
}

// rangeReader reads a section of an open file and closes the file.
type rangeReader struct {
	io.Reader
	io.Closer
}

// describe builds the ObjectInfo of an opened object file.
func (s *FS) describe(root *os.Root, key string, f *os.File) (models.ObjectInfo, error) {
	fi, err := f.Stat()
	if err != nil {
		return models.ObjectInfo{}, fmt.Errorf("fs stat %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		return models.ObjectInfo{}, notFound(key)
	}
	meta, err := readMeta(root, key)
	if err != nil {
		return models.ObjectInfo{}, fmt.Errorf("fs %s: %w", key, err)
	}
	return models.ObjectInfo{
		Key:         key,
		Size:        fi.Size(),
		ContentType: meta.ContentType,
		ETag:        meta.ETag,
		ModTime:     fi.ModTime().UTC(),
	}, nil
}

// Stat implements Store.
func (s *FS) Stat(ctx context.Context, key string) (models.ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return models.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return models.ObjectInfo{}, err
	}
	root, err := s.openRoot()
	if err != nil {
		return models.ObjectInfo{}, err
	}
	defer root.Close()
	f, err := root.Open(objectPath(key))
	if err != nil {
		return models.ObjectInfo{}, fsError("stat", key, err)
	}
	defer f.Close()
	return s.describe(root, key, f)
}

// Delete implements Store.
func (s *FS) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	root, err := s.openRoot()
	if err != nil {
		return err
	}
	defer root.Close()

	name := objectPath(key)
	fi, err := root.Lstat(name)
	switch {
	case err == nil && fi.IsDir():
		// A directory of other objects, not an object: nothing to delete.
		return nil
	case err == nil:
		if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("fs delete %s: %w", key, err)
		}
	case !isMissing(err):
		return fmt.Errorf("fs delete %s: %w", key, err)
	}
	if err := root.Remove(metaPath(key)); err != nil && !isMissing(err) {
		return fmt.Errorf("fs delete %s: meta: %w", key, err)
	}
	return nil
}

// Check implements Store: the root must exist and accept a new file.
func (s *FS) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	root, err := s.openRoot()
	if err != nil {
		return err
	}
	defer root.Close()
	tmp, f, err := createTemp(root, ".")
	if err != nil {
		return unavailable(fmt.Errorf("write to %s: %w", s.root, err))
	}
	_, werr := f.Write([]byte("ok"))
	cerr := f.Close()
	rerr := root.Remove(tmp)
	if err := errors.Join(werr, cerr, rerr); err != nil {
		return unavailable(fmt.Errorf("write to %s: %w", s.root, err))
	}
	return nil
}

// DownloadURL implements Store. The link is
// baseURL/files/<key>?exp=<unix>&ct=<type>&dn=<disposition>&sig=<hex>,
// where sig is an HMAC-SHA256 over the key, exp, ct and dn; the handler of
// /files/ checks it with VerifyLink.
func (s *FS) DownloadURL(ctx context.Context, key string, opts models.LinkOptions) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	expiry, err := linkExpiry(opts.Expiry)
	if err != nil {
		return "", err
	}
	ct := opts.ContentType
	if ct == "" {
		info, err := s.Stat(ctx, key)
		if err != nil {
			return "", err
		}
		ct = info.ContentType
	}
	if ct, err = normalizeContentType(ct); err != nil {
		return "", err
	}
	dn := contentDisposition(opts.Inline, ct, opts.Filename)
	exp := time.Now().Add(expiry)
	expUnix := exp.Unix()
	if exp.Nanosecond() != 0 {
		expUnix++ // round up: the link lives at least as long as asked
	}
	sig := hex.EncodeToString(s.sign(key, expUnix, ct, dn))
	return fmt.Sprintf("%s/files/%s?exp=%d&ct=%s&dn=%s&sig=%s", s.baseURL, key, expUnix,
		url.QueryEscape(ct), url.QueryEscape(dn), sig), nil
}

// VerifyLink checks the query of a link made by DownloadURL for key at time
// now and returns the content type and Content-Disposition the response
// must declare. A missing or wrong signature is a KindForbidden error, an
// expired link a KindForbidden error with the message "link expired".
func (s *FS) VerifyLink(key string, q url.Values, now time.Time) (contentType, contentDisposition string, err error) {
	if err := ValidateKey(key); err != nil {
		return "", "", err
	}
	for _, name := range []string{"exp", "ct", "dn", "sig"} {
		if len(q[name]) != 1 {
			return "", "", models.Errorf(models.KindForbidden, "invalid link")
		}
	}
	expUnix, err := strconv.ParseInt(q.Get("exp"), 10, 64)
	if err != nil {
		return "", "", models.Errorf(models.KindForbidden, "invalid link")
	}
	got, err := hex.DecodeString(q.Get("sig"))
	if err != nil {
		return "", "", models.Errorf(models.KindForbidden, "invalid link signature")
	}
	ct, dn := q.Get("ct"), q.Get("dn")
	if !hmac.Equal(got, s.sign(key, expUnix, ct, dn)) {
		return "", "", models.Errorf(models.KindForbidden, "invalid link signature")
	}
	if !now.Before(time.Unix(expUnix, 0)) {
		return "", "", models.Errorf(models.KindForbidden, "link expired")
	}
	return ct, dn, nil
}

// sign returns the HMAC-SHA256 of a link's fields, each length-prefixed so
// that no two different field sets share an encoding.
func (s *FS) sign(key string, exp int64, contentType, disposition string) []byte {
	mac := hmac.New(sha256.New, s.secret)
	for _, field := range []string{fsLinkContext, key, strconv.FormatInt(exp, 10), contentType, disposition} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(field)))
		mac.Write(n[:])
		mac.Write([]byte(field))
	}
	return mac.Sum(nil)
}

// isMissing reports whether err means that nothing exists at a path,
// including a path through a regular file ("a/b" when "a" is a file).
func isMissing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// fsError maps a file system error on key to the store's error kinds.
func fsError(op, key string, err error) error {
	switch {
	case isMissing(err):
		return notFound(key)
	case errors.Is(err, syscall.EISDIR), errors.Is(err, syscall.EEXIST), errors.Is(err, syscall.ENOTEMPTY):
		return models.Errorf(models.KindConflict, "object key %s conflicts with an existing path", key)
	}
	return fmt.Errorf("fs %s %s: %w", op, key, err)
}
