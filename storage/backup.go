package storage

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Backup writes a gzip'd tar archive to out holding a consistent copy of the
// SQLite database (VACUUM INTO, safe while the server writes) as leitai.db
// and every file under mediaDir as media/…. It returns the archive's size.
// The database is copied first: media written afterwards are extra in the
// archive, never missing from it.
func (db *DB) Backup(ctx context.Context, mediaDir, out string) (int64, error) {
	if db.dialect != SQLite {
		return 0, errors.New("backup archives the embedded SQLite database only; use pg_dump for PostgreSQL")
	}
	dir := filepath.Dir(out)
	snap, err := os.CreateTemp(dir, ".leitai-snapshot-*.db")
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	snapPath := snap.Name()
	snap.Close()
	os.Remove(snapPath) // VACUUM INTO wants a new file
	defer os.Remove(snapPath)
	if err := db.gorm.WithContext(ctx).Exec("VACUUM INTO ?", snapPath).Error; err != nil {
		return 0, fmt.Errorf("backup: snapshot database: %w", mapError(err))
	}

	tmp, err := os.CreateTemp(dir, ".leitai-backup-*.tar.gz")
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	gz := gzip.NewWriter(tmp)
	tw := tar.NewWriter(gz)
	if err := addFile(tw, snapPath, SQLiteFile); err != nil {
		tmp.Close()
		return 0, err
	}
	err = filepath.WalkDir(mediaDir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == mediaDir {
			return fs.SkipDir // no media yet
		}
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Objects are written to hidden temp files and renamed: skip
		// writes in progress.
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".tmp-") {
			return nil
		}
		rel, err := filepath.Rel(mediaDir, path)
		if err != nil {
			return err
		}
		err = addFile(tw, path, filepath.ToSlash(filepath.Join("media", rel)))
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted while we walked
		}
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = gz.Close()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	st, err := os.Stat(out)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	return st.Size(), nil
}

func addFile(tw *tar.Writer, path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	hdr := &tar.Header{Name: name, Mode: 0o640, Size: st.Size(), ModTime: st.ModTime(), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := io.CopyN(tw, f, st.Size()); err != nil {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	return nil
}
