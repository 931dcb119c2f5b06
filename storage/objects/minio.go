package objects

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"leitai/models"
)

const (
	// DefaultRegion is the region used when MinIOConfig names none. Setting
	// a region keeps presigning free of network calls.
	DefaultRegion = "us-east-1"
	// minioPartSize is the part size of multipart uploads; minio-go buffers
	// one part per upload in flight.
	minioPartSize = 16 << 20
	// minioMaxRetries keeps a failing request short (a blip is retried, an
	// outage is reported within about a second).
	minioMaxRetries = 3
	// minioCheckTimeout bounds the readiness probe.
	minioCheckTimeout = 3 * time.Second
)

// MinIOConfig locates a MinIO (or other S3-compatible) bucket.
type MinIOConfig struct {
	// Endpoint is the address the server uses: host:port, or a URL whose
	// scheme decides TLS.
	Endpoint string
	// PublicEndpoint is the address browsers use for download links, when
	// it differs from Endpoint; same forms as Endpoint.
	PublicEndpoint string
	// AccessKey and SecretKey are the credentials.
	AccessKey string
	// SecretKey is the secret of AccessKey.
	SecretKey string
	// Bucket holds every object; NewMinIO creates it when missing.
	Bucket string
	// Region defaults to DefaultRegion.
	Region string
	// UseSSL selects https for endpoints given as host:port.
	UseSSL bool
}

// MinIO is the object store on MinIO or another S3-compatible service.
type MinIO struct {
	client *minio.Client
	core   *minio.Core
	public *minio.Client
	bucket string
}

var _ Store = (*MinIO)(nil)

// NewMinIO connects to the configured service and creates the bucket when
// it does not exist yet. An unreachable service is a KindUnavailable error.
func NewMinIO(ctx context.Context, cfg MinIOConfig) (*MinIO, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("minio: endpoint not set")
	}
	if cfg.Bucket == "" {
		return nil, errors.New("minio: bucket not set")
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	client, err := newMinIOClient(cfg.Endpoint, cfg)
	if err != nil {
		return nil, err
	}
	public := client
	if cfg.PublicEndpoint != "" {
		if public, err = newMinIOClient(cfg.PublicEndpoint, cfg); err != nil {
			return nil, err
		}
	}
	m := &MinIO{client: client, core: &minio.Core{Client: client}, public: public, bucket: cfg.Bucket}

	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("minio: bucket %s: %w", cfg.Bucket, m.mapError(err, ""))
	}
	if !exists {
		err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
		if code := minio.ToErrorResponse(err).Code; code == "BucketAlreadyOwnedByYou" || code == "BucketAlreadyExists" {
			err = nil // another instance was quicker
		}
		if err != nil {
			return nil, fmt.Errorf("minio: create bucket %s: %w", cfg.Bucket, m.mapError(err, ""))
		}
	}
	return m, nil
}

// newMinIOClient builds a client for endpoint (host:port or URL).
func newMinIOClient(endpoint string, cfg MinIOConfig) (*minio.Client, error) {
	host, secure := endpoint, cfg.UseSSL
	if strings.Contains(endpoint, "://") {
		u, err := url.Parse(endpoint)
		if err != nil {
			return nil, fmt.Errorf("minio: endpoint %q: %w", endpoint, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
			return nil, fmt.Errorf("minio: endpoint %q: want host:port or http(s)://host:port", endpoint)
		}
		host, secure = u.Host, u.Scheme == "https"
	}
	client, err := minio.New(host, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:     secure,
		Region:     cfg.Region,
		MaxRetries: minioMaxRetries,
	})
	if err != nil {
		return nil, fmt.Errorf("minio: endpoint %q: %w", endpoint, err)
	}
	return client, nil
}

// Client returns the underlying minio-go client.
func (m *MinIO) Client() *minio.Client { return m.client }

// Core returns the low-level minio-go API (multipart uploads part by part).
func (m *MinIO) Core() *minio.Core { return m.core }

// Bucket returns the name of the store's bucket.
func (m *MinIO) Bucket() string { return m.bucket }

// Put implements Store. The size is always passed on, so minio-go streams a
// small body in one request and a large one in parts of 16 MiB.
func (m *MinIO) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (models.ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return models.ObjectInfo{}, err
	}
	ct, err := normalizeContentType(contentType)
	if err != nil {
		return models.ObjectInfo{}, err
	}
	// exactReader also hides io.Seeker and io.ReaderAt: minio-go neither
	// retries nor reads ahead through a body it cannot rewind.
	body, err := newExactReader(ctx, r, size)
	if err != nil {
		return models.ObjectInfo{}, err
	}
	up, err := m.client.PutObject(ctx, m.bucket, key, body, size, minio.PutObjectOptions{
		ContentType: ct,
		PartSize:    minioPartSize,
	})
	if body.failure != nil {
		if err == nil {
			m.removeQuietly(key)
		}
		return models.ObjectInfo{}, body.failure
	}
	if err != nil {
		return models.ObjectInfo{}, fmt.Errorf("minio put %s: %w", key, m.mapError(err, key))
	}
	if err := body.complete(); err != nil {
		m.removeQuietly(key)
		return models.ObjectInfo{}, fmt.Errorf("minio put %s: %w", key, err)
	}
	modTime := up.LastModified
	if modTime.IsZero() {
		modTime = time.Now()
	}
	return models.ObjectInfo{Key: key, Size: size, ContentType: ct, ETag: up.ETag, ModTime: modTime.UTC()}, nil
}

// removeQuietly deletes an object written from a body that turned out to
// be wrong; the body's error is what the caller needs to see.
func (m *MinIO) removeQuietly(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = m.client.RemoveObject(ctx, m.bucket, key, minio.RemoveObjectOptions{})
}

// Get implements Store.
func (m *MinIO) Get(ctx context.Context, key string, rng *models.ByteRange) (io.ReadCloser, models.ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return nil, models.ObjectInfo{}, err
	}
	if err := checkRange(rng); err != nil {
		return nil, models.ObjectInfo{}, err
	}
	var opts minio.GetObjectOptions
	if rng != nil {
		// Set the header directly: SetRange reads (0, -1) as "the last byte".
		if rng.End < 0 {
			opts.Set("Range", fmt.Sprintf("bytes=%d-", rng.Start))
		} else {
			opts.Set("Range", fmt.Sprintf("bytes=%d-%d", rng.Start, rng.End))
		}
	}
	body, oi, header, err := m.core.GetObject(ctx, m.bucket, key, opts)
	if err != nil {
		if rng != nil && minio.ToErrorResponse(err).Code == "InvalidRange" {
			return nil, models.ObjectInfo{}, rangeNotSatisfiable(*rng, -1)
		}
		return nil, models.ObjectInfo{}, fmt.Errorf("minio get %s: %w", key, m.mapError(err, key))
	}
	info := objectInfo(key, oi)
	if cr := header.Get("Content-Range"); cr != "" {
		total, err := contentRangeTotal(cr)
		if err != nil {
			body.Close()
			return nil, models.ObjectInfo{}, fmt.Errorf("minio get %s: %w", key, err)
		}
		info.Size = total
	}
	return body, info, nil
}

// contentRangeTotal returns the complete length in "bytes a-b/total".
func contentRangeTotal(header string) (int64, error) {
	_, total, ok := strings.Cut(header, "/")
	if !ok {
		return 0, fmt.Errorf("malformed Content-Range %q", header)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(total), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("malformed Content-Range %q", header)
	}
	return n, nil
}

// Stat implements Store.
func (m *MinIO) Stat(ctx context.Context, key string) (models.ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return models.ObjectInfo{}, err
	}
	oi, err := m.client.StatObject(ctx, m.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return models.ObjectInfo{}, fmt.Errorf("minio stat %s: %w", key, m.mapError(err, key))
	}
	return objectInfo(key, oi), nil
}

func objectInfo(key string, oi minio.ObjectInfo) models.ObjectInfo {
	ct := oi.ContentType
	if ct == "" {
		ct = defaultContentType
	}
	return models.ObjectInfo{Key: key, Size: oi.Size, ContentType: ct, ETag: oi.ETag, ModTime: oi.LastModified.UTC()}
}

// Delete implements Store.
func (m *MinIO) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	err := m.client.RemoveObject(ctx, m.bucket, key, minio.RemoveObjectOptions{})
	if err != nil {
		err = m.mapError(err, key)
		if errors.Is(err, models.ErrNotFound) {
			return nil
		}
		return fmt.Errorf("minio delete %s: %w", key, err)
	}
	return nil
}

// DownloadURL implements Store: a GET presigned with the public endpoint's
// client, with response-content-type and response-content-disposition
// signed in so that the link cannot serve the object any other way.
func (m *MinIO) DownloadURL(ctx context.Context, key string, opts models.LinkOptions) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	expiry, err := linkExpiry(opts.Expiry)
	if err != nil {
		return "", err
	}
	ct := opts.ContentType
	if ct == "" {
		info, err := m.Stat(ctx, key)
		if err != nil {
			return "", err
		}
		ct = info.ContentType
	}
	if ct, err = normalizeContentType(ct); err != nil {
		return "", err
	}
	params := url.Values{}
	params.Set("response-content-type", ct)
	params.Set("response-content-disposition", contentDisposition(opts.Inline, ct, opts.Filename))
	u, err := m.public.PresignedGetObject(ctx, m.bucket, key, expiry, params)
	if err != nil {
		return "", fmt.Errorf("minio presign %s: %w", key, m.mapError(err, key))
	}
	return u.String(), nil
}

// Check implements Store: the bucket must answer within a few seconds.
func (m *MinIO) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, minioCheckTimeout)
	defer cancel()
	exists, err := m.client.BucketExists(ctx, m.bucket)
	if err != nil {
		return fmt.Errorf("minio check: %w", m.mapError(err, ""))
	}
	if !exists {
		return unavailable(fmt.Errorf("bucket %s does not exist", m.bucket))
	}
	return nil
}

// mapError turns a minio-go error into the store's error kinds.
func (m *MinIO) mapError(err error, key string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch {
		case resp.Code == "NoSuchKey" || resp.Code == "NoSuchObject" || resp.Code == "NoSuchVersion":
			return notFound(key)
		case resp.Code == "NoSuchBucket":
			return unavailable(fmt.Errorf("bucket %s does not exist: %w", m.bucket, err))
		case resp.Code == "InvalidRange":
			return models.Errorf(models.KindInvalid, "byte range not satisfiable")
		case resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusBadGateway ||
			resp.StatusCode == http.StatusGatewayTimeout || resp.Code == "XMinioServerNotInitialized" ||
			resp.Code == "SlowDown" || resp.Code == "ServiceUnavailable":
			return unavailable(err)
		case resp.StatusCode == http.StatusNotFound && key != "":
			return notFound(key)
		}
		return err
	}
	if minio.IsNetworkOrHostDown(err, false) {
		return unavailable(err)
	}
	// Any other transport failure (the request never got an answer).
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return unavailable(err)
	}
	return err
}
