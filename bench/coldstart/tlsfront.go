package coldstart

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// TLSFront puts HTTPS in front of a plain-HTTP backend on loopback (the Cognito emulation), as Cognito's
// endpoint is HTTPS, and can delay every byte by a one-way latency in each direction underneath TLS,
// so that the handshake and each request pay the round trips a network would add. The kernel still
// completes TCP's own SYN round trip at once: an emulated connection costs one round trip less than a
// real one.
type TLSFront struct {
	URL string // https://127.0.0.1:<port>
	// CAFile is a PEM bundle, the system's roots (when found) plus this front's own CA, to give the
	// function as SSL_CERT_FILE: loading a full bundle is part of a real first TLS handshake's cost.
	CAFile string
	// CertDir is an empty directory to give as SSL_CERT_DIR, so that only CAFile is read.
	CertDir string

	backend string
	oneWay  time.Duration
	ln      net.Listener
	cfg     *tls.Config
	accepts atomic.Int64

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// systemBundles are where Linux distributions keep the CA bundle (Debian, then RHEL and Amazon Linux).
var systemBundles = []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"}

// NewTLSFront serves https://127.0.0.1:<free port> for backend (host:port), writing its CA bundle in dir.
func NewTLSFront(backend string, oneWay time.Duration, dir string) (*TLSFront, error) {
	dir, err := filepath.Abs(dir) // the function runs in its own directory
	if err != nil {
		return nil, err
	}
	caPEM, leaf, err := newCertificates()
	if err != nil {
		return nil, err
	}
	var bundle []byte
	for _, p := range systemBundles {
		if b, err := os.ReadFile(p); err == nil {
			bundle = append(b, '\n')
			break
		}
	}
	bundle = append(bundle, caPEM...)
	f := &TLSFront{
		CAFile: filepath.Join(dir, "ca-bundle.crt"), CertDir: filepath.Join(dir, "certs"),
		backend: backend, oneWay: oneWay, conns: map[net.Conn]struct{}{},
		// HTTP/1.1 only: the backend behind this front speaks nothing else.
		cfg: &tls.Config{Certificates: []tls.Certificate{leaf}, NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12},
	}
	if err := os.WriteFile(f.CAFile, bundle, 0o644); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(f.CertDir, 0o755); err != nil {
		return nil, err
	}
	if f.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	f.URL = "https://" + f.ln.Addr().String()
	f.wg.Add(1)
	go f.serve()
	return f, nil
}

// Accepts is the number of TCP connections accepted so far.
func (f *TLSFront) Accepts() int64 { return f.accepts.Load() }

// Close stops accepting and cuts every open connection.
func (f *TLSFront) Close() {
	f.mu.Lock()
	f.closed = true
	for c := range f.conns {
		_ = c.Close()
	}
	f.mu.Unlock()
	_ = f.ln.Close()
	f.wg.Wait()
}

func (f *TLSFront) track(c net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.conns[c] = struct{}{}
	return true
}

func (f *TLSFront) untrack(c net.Conn) {
	f.mu.Lock()
	delete(f.conns, c)
	f.mu.Unlock()
	_ = c.Close()
}

func (f *TLSFront) serve() {
	defer f.wg.Done()
	for {
		raw, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.accepts.Add(1)
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.handle(raw)
		}()
	}
}

func (f *TLSFront) handle(raw net.Conn) {
	var c net.Conn = raw
	if f.oneWay > 0 {
		c = newDelayConn(raw, f.oneWay)
	}
	if !f.track(c) {
		_ = c.Close()
		return
	}
	defer f.untrack(c)
	tc := tls.Server(c, f.cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	err := tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		return
	}
	back, err := net.DialTimeout("tcp", f.backend, 5*time.Second)
	if err != nil {
		return
	}
	if !f.track(back) {
		_ = back.Close()
		return
	}
	defer f.untrack(back)
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(back, tc)
		if cw, ok := back.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		close(done)
	}()
	_, _ = io.Copy(tc, back)
	_ = tc.Close()
	<-done
}

// newCertificates makes a throwaway CA and a leaf for 127.0.0.1 and localhost, signed by it.
func newCertificates() (caPEM []byte, leaf tls.Certificate, err error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, leaf, err
	}
	now := time.Now()
	caTpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "coldstart bench CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTpl, caTpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, leaf, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, leaf, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, leaf, err
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, leaf, err
	}
	// The chain a server sends: its certificate, then the issuer's (as Cognito's endpoint sends its
	// intermediate).
	leaf = tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), leaf, nil
}

// delayConn delays the bytes of a connection by oneWay in each direction: reads become available
// oneWay after they arrived, and writes leave oneWay after they were made (Write itself returns at
// once, like a socket with room in its buffer). Order is kept.
type delayConn struct {
	net.Conn
	oneWay time.Duration

	in      chan chunk // from the reader goroutine
	pending []byte
	readErr error

	out       chan chunk // to the writer goroutine
	mu        sync.Mutex
	closed    bool
	done      chan struct{}
	closeOnce sync.Once
}

type chunk struct {
	at  time.Time
	b   []byte
	err error
}

func newDelayConn(c net.Conn, oneWay time.Duration) *delayConn {
	d := &delayConn{Conn: c, oneWay: oneWay, in: make(chan chunk, 256), out: make(chan chunk, 256), done: make(chan struct{})}
	go d.readLoop()
	go d.writeLoop()
	return d
}

func (d *delayConn) readLoop() {
	for {
		buf := make([]byte, 32<<10)
		n, err := d.Conn.Read(buf)
		c := chunk{at: time.Now(), b: buf[:n], err: err}
		select {
		case d.in <- c:
		case <-d.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (d *delayConn) writeLoop() {
	defer d.shutdown()
	for c := range d.out {
		if !sleepUntil(c.at.Add(d.oneWay), d.done) {
			return
		}
		if _, err := d.Conn.Write(c.b); err != nil {
			return
		}
	}
}

// shutdown closes the underlying connection, ending both loops.
func (d *delayConn) shutdown() {
	d.closeOnce.Do(func() {
		close(d.done)
		_ = d.Conn.Close()
	})
}

func (d *delayConn) Read(p []byte) (int, error) {
	for len(d.pending) == 0 {
		if d.readErr != nil {
			return 0, d.readErr
		}
		var c chunk
		select {
		case c = <-d.in:
		case <-d.done:
			return 0, net.ErrClosed
		}
		if !sleepUntil(c.at.Add(d.oneWay), d.done) {
			return 0, net.ErrClosed
		}
		d.pending, d.readErr = c.b, c.err
	}
	n := copy(p, d.pending)
	d.pending = d.pending[n:]
	return n, nil
}

func (d *delayConn) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return 0, net.ErrClosed
	}
	select {
	case d.out <- chunk{at: time.Now(), b: append([]byte(nil), p...)}:
		return len(p), nil
	case <-d.done:
		return 0, net.ErrClosed
	}
}

// Close lets the writes already made leave, each after its delay, then closes the connection.
func (d *delayConn) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.closed {
		d.closed = true
		close(d.out)
	}
	return nil
}

// sleepUntil waits for t, or returns false when done closes first.
func sleepUntil(t time.Time, done <-chan struct{}) bool {
	wait := time.Until(t)
	if wait <= 0 {
		return true
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-done:
		return false
	}
}
