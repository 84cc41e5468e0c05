package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// A module of the workspace.
type module struct {
	Path string // module path
	Dir  string // directory, relative to the workspace root ("." for the root)
	Mod  modFile
}

// modFile is what go mod edit -json reports of a go.mod file.
type modFile struct {
	Module  struct{ Path string }
	Require []struct {
		Path     string
		Version  string
		Indirect bool
	}
	Replace []struct {
		Old, New struct{ Path, Version string }
	}
}

// workspace is the go.work file's modules, and the version its
// replacements give the published ones.
type workspace struct {
	root      string
	modules   []*module
	published map[string]*module // by module path: the modules go.work replaces
	version   string             // the version go.work replaces them at
}

func loadWorkspace() (*workspace, error) {
	out, err := exec.Command("go", "env", "GOWORK").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOWORK: %w", err)
	}
	gowork := strings.TrimSpace(string(out))
	if gowork == "" || gowork == "off" {
		return nil, fmt.Errorf("run it inside the workspace (go env GOWORK is %q)", gowork)
	}
	var work struct {
		Use     []struct{ DiskPath string }
		Replace []struct {
			Old, New struct{ Path, Version string }
		}
	}
	if err := goJSON(&work, "work", "edit", "-json", gowork); err != nil {
		return nil, err
	}
	ws := &workspace{root: filepath.Dir(gowork), published: map[string]*module{}}
	byDir := map[string]*module{}
	for _, u := range work.Use {
		m := &module{Dir: filepath.Clean(u.DiskPath)}
		if err := goJSON(&m.Mod, "mod", "edit", "-json", filepath.Join(ws.root, m.Dir, "go.mod")); err != nil {
			return nil, err
		}
		m.Path = m.Mod.Module.Path
		ws.modules = append(ws.modules, m)
		byDir[m.Dir] = m
	}
	for _, r := range work.Replace {
		m := byDir[filepath.Clean(r.New.Path)]
		switch {
		case m == nil || m.Path != r.Old.Path:
			return nil, fmt.Errorf("go.work replaces %s with %s, which is not that workspace module", r.Old.Path, r.New.Path)
		case r.Old.Version == "":
			return nil, fmt.Errorf("go.work replaces %s at every version: name the version of the next tag (%s vX.Y.Z => %s)", r.Old.Path, r.Old.Path, r.New.Path)
		case ws.version != "" && r.Old.Version != ws.version:
			return nil, fmt.Errorf("go.work replaces modules at %s and at %s: release them at one version", ws.version, r.Old.Version)
		}
		ws.version = r.Old.Version
		ws.published[m.Path] = m
	}
	if ws.version == "" {
		return nil, fmt.Errorf("go.work has no replacements, so it names no release version")
	}
	return ws, nil
}

func goJSON(v any, args ...string) error {
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		return fmt.Errorf("go %s: %w", strings.Join(args, " "), stderrOf(err))
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

func stderrOf(err error) error {
	if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}

// check reports every problem of the go.mod files at once.
func check() error {
	ws, err := loadWorkspace()
	if err != nil {
		return err
	}
	var problems []string
	versions := map[string]map[string][]string{} // dependency → version → modules
	for _, m := range ws.modules {
		for _, r := range m.Mod.Replace {
			problems = append(problems, fmt.Sprintf("%s/go.mod replaces %s: move the replacement to go.work", m.Dir, r.Old.Path))
		}
		for _, r := range m.Mod.Require {
			if ws.published[r.Path] != nil && r.Version != ws.version {
				problems = append(problems, fmt.Sprintf("%s/go.mod requires %s %s: require %s, the version go.work names", m.Dir, r.Path, r.Version, ws.version))
			}
			if versions[r.Path] == nil {
				versions[r.Path] = map[string][]string{}
			}
			versions[r.Path][r.Version] = append(versions[r.Path][r.Version], m.Dir)
		}
	}
	for dep, vs := range versions {
		if len(vs) > 1 {
			problems = append(problems, fmt.Sprintf("%s is required at %d versions (%s): run go work sync, then go mod tidy in each module", dep, len(vs), describe(vs)))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("%d problems:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	fmt.Printf("release: %d modules ready to tag at %s; %d published: %s\n", len(ws.modules), ws.version, len(ws.published), strings.Join(ws.publishedPaths(), ", "))
	return nil
}

func describe(vs map[string][]string) string {
	var parts []string
	for v, mods := range vs {
		parts = append(parts, v+" in "+strings.Join(mods, ", "))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

func (ws *workspace) publishedPaths() []string {
	var paths []string
	for p := range ws.published {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}
