package apigateway

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Header names as sent. net/http canonicalises every header name it parses ("x-api-key" becomes
// "X-Api-Key") and keeps no record of the original, while API Gateway passes names to Lambda as
// the client sent them. rawConn therefore reads the request head a second time, from the bytes
// the server reads off the connection: it splits the stream into heads and bodies (bodies skipped
// by Content-Length) and queues, per request, its request line and header names in order. The
// handler takes the first queued head and uses it only when its request line is the request's
// own; otherwise (a chunked body, whose length the stream does not tell us, a head over the
// limit) it falls back to canonical names and closes the connection after the answer, so no
// later request on it can be paired with the wrong head.

// rawHead is what one request head said, in the client's spelling.
type rawHead struct {
	requestLine string
	names       []string
}

type rawConn struct {
	net.Conn
	onGoError func(status int) // called when net/http answers on its own (see Write)

	mu    sync.Mutex
	buf   []byte // the head being read
	skip  int64  // body bytes still to pass
	lost  bool   // the stream's framing is unknown from here on
	heads []rawHead
}

// maxRawHead bounds buf: net/http refuses longer heads anyway (Server.MaxHeaderBytes + 4096).
const maxRawHead = serverMaxHeaderBytes + 4096

func (c *rawConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.feed(p[:n])
		c.mu.Unlock()
	}
	return n, err
}

func (c *rawConn) feed(b []byte) {
	for len(b) > 0 && !c.lost {
		if c.skip > 0 {
			k := min(int64(len(b)), c.skip)
			c.skip -= k
			b = b[k:]
			continue
		}
		start := max(len(c.buf)-3, 0)
		c.buf = append(c.buf, b...)
		end := headEnd(c.buf, start)
		if end < 0 {
			if len(c.buf) > maxRawHead {
				c.lost = true
			}
			return
		}
		head, rest := c.buf[:end], c.buf[end:]
		b = bytes.Clone(rest)
		c.buf = nil
		c.parseHead(head)
	}
}

// headEnd returns the offset just past the empty line ending a head ("\r\n\r\n", or bare "\n"
// line ends, which net/http also accepts), or -1.
func headEnd(b []byte, from int) int {
	for i := from; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		switch {
		case i >= 1 && b[i-1] == '\n':
			return i + 1
		case i >= 3 && b[i-1] == '\r' && b[i-2] == '\n':
			return i + 1
		}
	}
	return -1
}

func (c *rawConn) parseHead(head []byte) {
	lines := strings.Split(strings.ReplaceAll(string(head), "\r\n", "\n"), "\n")
	h := rawHead{requestLine: lines[0]}
	for _, line := range lines[1:] {
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue // the end, or an obsolete continuation line
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		h.names = append(h.names, name)
		switch strings.ToLower(name) {
		case "content-length":
			n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || n < 0 {
				c.lost = true
			}
			c.skip = n
		case "transfer-encoding":
			c.lost = true
		}
	}
	c.heads = append(c.heads, h)
}

// take returns the header names of r as sent, or false when they are not known for sure.
func (c *rawConn) take(r *http.Request) ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.heads) == 0 {
		c.lost = true
		return nil, false
	}
	h := c.heads[0]
	c.heads = c.heads[1:]
	if h.requestLine != r.Method+" "+r.RequestURI+" "+r.Proto {
		c.lost = true
		return nil, false
	}
	// A queued head was parsed while the framing was known, so it is this request's.
	return h.names, true
}

func (c *rawConn) isLost() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lost
}

// goErrorHeaders is how net/http's server ends the head of the answers it writes on its own,
// straight to the connection, for a request it could not parse (header too large, malformed,
// unsupported transfer encoding): net/http/server.go, conn.serve. Our handler's answers are
// always JSON with a Content-Length, so they never contain it.
const goErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// Write replaces net/http's own text/plain error answers with the contract's JSON body and the
// headers of every gateway answer (the error type of DEFAULT_4XX or DEFAULT_5XX by status).
func (c *rawConn) Write(p []byte) (int, error) {
	if !bytes.HasPrefix(p, []byte("HTTP/1.1 ")) || !bytes.Contains(p, []byte(goErrorHeaders)) || len(p) < 12 {
		return c.Conn.Write(p)
	}
	status, err := strconv.Atoi(string(p[9:12]))
	if err != nil || status < 400 {
		return c.Conn.Write(p)
	}
	text, errorType := http.StatusText(status), errorTypes["DEFAULT_4XX"]
	if status >= 500 {
		errorType = errorTypes["DEFAULT_5XX"]
	}
	body := `{"message":` + strconv.Quote(text) + `}`
	reply := "HTTP/1.1 " + strconv.Itoa(status) + " " + text + "\r\nContent-Type: application/json\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\nx-amzn-RequestId: " + newRequestID() +
		"\r\nx-amz-apigw-id: " + newExtendedRequestID() + "\r\nx-amzn-ErrorType: " + errorType +
		"\r\nConnection: close\r\n\r\n" + body
	if _, err := c.Conn.Write([]byte(reply)); err != nil {
		return 0, err
	}
	if c.onGoError != nil {
		c.onGoError(status)
	}
	return len(p), nil
}

type rawConnKey struct{}

// rawListener wraps every accepted connection in a rawConn.
type rawListener struct {
	net.Listener
	onGoError func(status int)
}

func (l rawListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &rawConn{Conn: c, onGoError: l.onGoError}, nil
}

// connContext stores the rawConn for the handler (http.Server.ConnContext).
func connContext(ctx context.Context, c net.Conn) context.Context {
	if rc, ok := c.(*rawConn); ok {
		return context.WithValue(ctx, rawConnKey{}, rc)
	}
	return ctx
}

// headerNames returns r's header names as sent and whether they are known; when they are not,
// the connection is marked to close after this answer.
func headerNames(w http.ResponseWriter, r *http.Request) ([]string, bool) {
	rc, ok := r.Context().Value(rawConnKey{}).(*rawConn)
	if !ok {
		return nil, false
	}
	names, ok := rc.take(r)
	if rc.isLost() {
		w.Header().Set("Connection", "close")
	}
	return names, ok
}
