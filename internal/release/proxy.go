package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// writeProxy writes, under dir, the files a module proxy serves for each
// published module at ws.version (https://go.dev/ref/mod#goproxy-protocol),
// so that GOPROXY=file://dir serves them.
func (ws *workspace) writeProxy(dir string) error {
	files, err := ws.files()
	if err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{ws.version, time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		return err
	}
	for _, p := range ws.publishedPaths() {
		m := ws.published[p]
		vdir := filepath.Join(dir, filepath.FromSlash(escape(m.Path)), "@v")
		if err := os.MkdirAll(vdir, 0o755); err != nil {
			return err
		}
		gomod, err := os.ReadFile(filepath.Join(ws.root, m.Dir, "go.mod"))
		if err != nil {
			return err
		}
		z, err := ws.zip(m, files[m])
		if err != nil {
			return fmt.Errorf("%s: %w", m.Path, err)
		}
		for name, data := range map[string][]byte{
			"list":               []byte(ws.version + "\n"),
			ws.version + ".info": info,
			ws.version + ".mod":  gomod,
			ws.version + ".zip":  z,
		} {
			if err := os.WriteFile(filepath.Join(vdir, name), data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// files returns the files of each module: those git tracks (or would:
// untracked files that are not ignored count too), each in the module of
// the innermost directory with a go.mod that holds it, as the go command
// cuts a module's zip.
func (ws *workspace) files() (map[*module][]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = ws.root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files: %w", stderrOf(err))
	}
	moduleDirs := map[string]bool{}
	for name := range strings.SplitSeq(string(out), "\x00") {
		if path.Base(name) == "go.mod" {
			moduleDirs[path.Dir(name)] = true
		}
	}
	byDir := map[string]*module{}
	for _, m := range ws.modules {
		byDir[filepath.ToSlash(m.Dir)] = m
	}
	files := map[*module][]string{}
	for name := range strings.SplitSeq(string(out), "\x00") {
		if name == "" {
			continue
		}
		d := path.Dir(name)
		for !moduleDirs[d] && d != "." {
			d = path.Dir(d)
		}
		if m := byDir[d]; m != nil {
			files[m] = append(files[m], name)
		}
	}
	return files, nil
}

// zip makes m's module zip (https://go.dev/ref/mod#zip-files) from names,
// the paths of its files from the workspace root.
func (ws *workspace) zip(m *module, names []string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	prefix := m.Path + "@" + ws.version + "/"
	for _, name := range names {
		full := filepath.Join(ws.root, filepath.FromSlash(name))
		fi, err := os.Lstat(full)
		if os.IsNotExist(err) {
			continue // deleted but not yet committed
		}
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() || strings.Contains("/"+name+"/", "/vendor/") {
			continue // the go command leaves symbolic links and vendor directories out
		}
		rel := name
		if m.Dir != "." {
			rel = strings.TrimPrefix(name, filepath.ToSlash(m.Dir)+"/")
		}
		w, err := zw.Create(prefix + rel)
		if err != nil {
			return nil, err
		}
		f, err := os.Open(full)
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(w, f)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// escape is the proxy protocol's case encoding of a module path: each
// upper-case letter becomes an exclamation mark and its lower case.
func escape(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
