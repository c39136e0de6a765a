package localstack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The browser client (web/) on its own origin, http://127.0.0.1:<WEB_PORT>: the files of web/, plus
// config.json (where the API and the mailbox are) and mail.json (the local mailbox, the stand-in for
// the inbox the confirmation links and codes would reach). Nothing of this exists in the cloud.

// corsParameter is the API template's parameter naming the one origin CORS allows.
const corsParameter = "CorsAllowOrigin"

// mailJSONLimit bounds mail.json to the newest messages: a long session's mailbox stays a small answer.
const mailJSONLimit = 200

// WebOrigin is the browser client's origin for a web port.
func WebOrigin(port int) string {
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// withWebOrigin sets CorsAllowOrigin to the page's origin, as a user's PARAMETER_OVERRIDES would, so
// that the page may call the API. A value the user set stays, even an empty one (CORS off): it is
// theirs to choose. It reports whether it set the parameter.
func withWebOrigin(overrides map[string]string, webPort int) bool {
	if webPort == 0 {
		return false
	}
	if _, set := overrides[corsParameter]; set {
		return false
	}
	overrides[corsParameter] = WebOrigin(webPort)
	return true
}

// listenWeb binds the web port early, with the other ports, so that a taken port fails the start
// before anything is built. A nil listener means the page is off (port 0).
func listenWeb(port int) (net.Listener, error) {
	if port == 0 {
		return nil, nil
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("web page port %s is taken (%v): stop what uses it or choose another with make local WEB_PORT=<port> (WEB_PORT=0 turns the page off)", addr, err)
	}
	return ln, nil
}

// webConfig is config.json: what the page needs to find the API and the mailbox, and the pool's
// password policy in a sentence (passwordpolicy's Hint), so the page's hint is the pool's own.
type webConfig struct {
	APIURL       string `json:"apiUrl"`
	MailboxURL   string `json:"mailboxUrl"`
	PasswordHint string `json:"passwordHint"`
}

// webHandler serves dir (web/), config.json (cfg, with the mailbox's URL) and mail.json (read from mailbox on each request). Only
// requests addressed to 127.0.0.1:<port> are served: the mailbox holds live links and codes, and a
// check of the Host header keeps a page elsewhere from reading it through DNS rebinding.
// http://localhost:<port> is redirected there, the one origin CORS allows.
func webHandler(dir, mailbox string, port int, cfg webConfig, log *slog.Logger) http.Handler {
	origin := WebOrigin(port)
	host := strings.TrimPrefix(origin, "http://")
	cfg.MailboxURL = origin + "/mail.json"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		switch {
		case r.Host == "localhost:"+strconv.Itoa(port):
			http.Redirect(w, r, origin+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			return
		case r.Host != host:
			webError(w, http.StatusMisdirectedRequest, "this server answers for "+origin+" only")
			return
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			w.Header().Set("Allow", "GET, HEAD")
			webError(w, http.StatusMethodNotAllowed, "only GET and HEAD are served here")
			return
		}
		switch r.URL.Path {
		case "/config.json":
			webJSON(w, cfg)
		case "/mail.json":
			msgs, err := readMail(mailbox)
			if err != nil {
				log.Error("web: read the mailbox", "error", err.Error())
				webError(w, http.StatusInternalServerError, "the local mailbox could not be read; see the stack's log")
				return
			}
			webJSON(w, msgs)
		default:
			serveWebFile(w, r, dir)
		}
	})
}

// serveWebFile serves one regular file of dir, "/" being index.html. os.Root keeps every name inside
// dir (no "..", no symbolic link out of it); anything else is a JSON 404, like the API's errors.
func serveWebFile(w http.ResponseWriter, r *http.Request, dir string) {
	name := strings.TrimPrefix(r.URL.Path, "/")
	if name == "" {
		name = "index.html"
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		webError(w, http.StatusNotFound, "no web page here: "+dir+" is missing")
		return
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		webError(w, http.StatusNotFound, "not found: "+r.URL.Path)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		webError(w, http.StatusNotFound, "not found: "+r.URL.Path)
		return
	}
	if name == "index.html" {
		// No external resource, no inline script, no framing; fetch may reach any API URL the user enters.
		w.Header().Set("Content-Security-Policy",
			"default-src 'self'; connect-src *; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	}
	http.ServeContent(w, r, name, info.ModTime(), f)
}

// readMail returns the newest messages of the mailbox file, oldest first, each line as written; a
// missing file is an empty mailbox. A line that is not JSON (one being appended) is left out.
func readMail(path string) ([]json.RawMessage, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return []json.RawMessage{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	msgs := []json.RawMessage{}
	for line := range bytes.Lines(raw) {
		line = bytes.TrimSpace(line)
		if json.Valid(line) {
			msgs = append(msgs, json.RawMessage(line))
		}
	}
	if len(msgs) > mailJSONLimit {
		msgs = msgs[len(msgs)-mailJSONLimit:]
	}
	return msgs, nil
}

func webJSON(w http.ResponseWriter, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		webError(w, http.StatusInternalServerError, "could not encode the answer")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(raw, '\n'))
}

// webError answers in the API's error shape, {"message": ...}.
func webError(w http.ResponseWriter, status int, message string) {
	raw, _ := json.Marshal(map[string]string{"message": message})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(raw, '\n'))
}

// webServer serves the page with short timeouts: it answers small files on loopback only.
func webServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}

// webDir is where the page's files are: web/ in the repository.
func webDir(opts Options) string { return filepath.Join(opts.Root, "web") }
