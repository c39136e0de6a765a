package localstack

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/lambda"
)

// pollInterval is how often the watcher looks at the Go sources. It polls rather than subscribing to
// file-system events: the repository holds a few hundred files (a stat each, microseconds), editors
// that save by renaming and directories created later need no special case, and it behaves the same
// on every OS.
const pollInterval = 400 * time.Millisecond

// watchSources, while ctx lasts, reloads what changed:
//   - a template (template.yaml, auth-stack/ or api-stack/template.yaml): redeploy translates and
//     deploys every template again and swaps the whole deployment (the API definition and every
//     function), as at start; Cognito keeps its pool, client, users and tokens, found by name.
//   - Go code: each function whose Go packages (its main package and every non-standard package it
//     imports, from `go list -deps`) hold a changed .go file, or every function when go.mod or go.sum
//     change, is rebuilt and handed to the emulator: idle environments stop, busy ones finish on the
//     old code.
//
// A failed build or deploy keeps the previous version serving; its error is printed once (a
// compiler's output by the build).
func watchSources(ctx context.Context, opts Options, live *serving, redeploy func(context.Context, int) error) {
	state, _ := filepath.Abs(opts.StateDir)
	deps := dependencies(ctx, opts.Root, live.current().fns)
	seen := snapshot(opts.Root, state)
	opts.Logger.Info("watching the functions' Go code and the templates", "root", opts.Root, "note", "make local WATCH=0 turns it off")
	generation := 0
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := snapshot(opts.Root, state)
		changed := diff(seen, now)
		if len(changed) == 0 {
			continue
		}
		// Wait for the editor to finish: one more interval without a change.
		for settled := false; !settled; {
			select {
			case <-ctx.Done():
				return
			case <-time.After(pollInterval):
			}
			next := snapshot(opts.Root, state)
			more := diff(now, next)
			changed, now, settled = append(changed, more...), next, len(more) == 0
		}
		seen = now
		generation++
		if i := slices.IndexFunc(changed, isTemplate); i >= 0 {
			opts.Logger.Info("redeploying the templates", "changed", changed[i])
			if err := redeploy(ctx, generation); err != nil {
				if ctx.Err() == nil {
					opts.Logger.Error("template reload failed: the previous stack keeps serving", "error", err)
				}
				continue
			}
			for _, fn := range live.current().fns {
				dir, _ := functionDir(opts, fn.Name, "reload-"+strconv.Itoa(generation))
				removeOlderReloads(opts.Logger, filepath.Dir(dir), dir)
			}
			deps = dependencies(ctx, opts.Root, live.current().fns)
			opts.Logger.Info("reloaded the templates", "changed", changed[i])
			continue
		}
		cur := live.current()
		for _, fn := range cur.fns {
			if !affected(deps[fn.Name], changed) {
				continue
			}
			dir, _ := functionDir(opts, fn.Name, "reload-"+strconv.Itoa(generation))
			if err := buildFunction(ctx, opts, fn.Name, cur.stacks.api.Resources[fn.Name], dir); err != nil {
				if ctx.Err() == nil {
					opts.Logger.Error("reload failed: the previous version keeps serving", "function", fn.Name, "error", err)
				}
				continue
			}
			if err := cur.lambdas.Replace(fn.Name, filepath.Join(dir, "bootstrap")); err != nil {
				opts.Logger.Error("reload failed: the previous version keeps serving", "function", fn.Name, "error", err)
				continue
			}
			opts.Logger.Info("reloaded function", "function", fn.Name, "changed", changed[0])
			removeOlderReloads(opts.Logger, filepath.Dir(dir), dir)
			deps[fn.Name] = packageDirs(ctx, opts.Root, fn.Name)
		}
	}
}

// dependencies maps each function to the package directories it is built from.
func dependencies(ctx context.Context, root string, fns []lambda.Function) map[string]map[string]bool {
	deps := map[string]map[string]bool{}
	for _, fn := range fns {
		deps[fn.Name] = packageDirs(ctx, root, fn.Name)
	}
	return deps
}

// isTemplate reports whether a changed file is one of the templates the stack deploys.
func isTemplate(path string) bool {
	return filepath.Base(path) == "template.yaml"
}

// packageDirs are the directories of the packages the function's main package is built from, or nil
// (every change then rebuilds it) when `go list` cannot tell. The package is the Makefile's build-%
// convention: functions/<logical id without "Function", lower-cased>.
func packageDirs(ctx context.Context, root, id string) map[string]bool {
	pkg := "./functions/" + strings.ToLower(strings.TrimSuffix(id, "Function"))
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f", "{{if not .Standard}}{{.Dir}}{{end}}", pkg)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	dirs := map[string]bool{}
	for _, d := range strings.Fields(string(out)) {
		dirs[d] = true
	}
	return dirs
}

// affected reports whether a change to one of the files changed touches a function built from dirs.
func affected(dirs map[string]bool, changed []string) bool {
	for _, f := range changed {
		if dirs == nil || filepath.Base(f) == "go.mod" || filepath.Base(f) == "go.sum" || dirs[filepath.Dir(f)] {
			return true
		}
	}
	return false
}

type fileStamp struct {
	size int64
	mod  time.Time
}

// snapshot stamps the Go sources (tests aside: they are not built into a function), go.mod, go.sum
// and the templates under root, skipping hidden directories, node_modules and the stack's own state.
func snapshot(root, state string) map[string]fileStamp {
	files := map[string]fileStamp{}
	abs, _ := filepath.Abs(root)
	_ = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file removed while walking
		}
		name := d.Name()
		if d.IsDir() {
			if path != abs && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" || path == state) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") || name == "go.mod" || name == "go.sum" || name == "template.yaml" {
			if info, err := d.Info(); err == nil {
				files[path] = fileStamp{info.Size(), info.ModTime()}
			}
		}
		return nil
	})
	return files
}

// diff lists the files added, removed or rewritten between two snapshots.
func diff(before, after map[string]fileStamp) []string {
	var changed []string
	for f, s := range after {
		if b, ok := before[f]; !ok || b != s {
			changed = append(changed, f)
		}
	}
	for f := range before {
		if _, ok := after[f]; !ok {
			changed = append(changed, f)
		}
	}
	return changed
}

// removeOlderReloads deletes the earlier reload builds of a function: environments still running one
// keep their executable open, which Unix allows to be unlinked.
func removeOlderReloads(logger *slog.Logger, parent, keep string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		if p := filepath.Join(parent, e.Name()); strings.HasPrefix(e.Name(), "reload-") && p != keep {
			if err := os.RemoveAll(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				logger.Warn("could not remove an old build", "error", err)
			}
		}
	}
}
