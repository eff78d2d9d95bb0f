package testutil

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Registry credentials of an htpasswd registry.
const (
	RegistryUser     = "slipway"
	RegistryPassword = "s3cret-slipway"
	// registryHtpasswd is RegistryUser:bcrypt(RegistryPassword), as the
	// distribution registry's htpasswd auth only takes bcrypt.
	registryHtpasswd = "slipway:$2a$10$Gcn7s9udXdPpQ2M97GwISuCEH7HA61jyxrHm2FJuWXk06w33JuwYy\n"
	// TLSRegistryHost is the name a TLS registry's certificate is issued to;
	// Registry.Transport dials it on 127.0.0.1.
	TLSRegistryHost = "registry.test"
)

// RegistryOptions choose a registry variant.
type RegistryOptions struct {
	Htpasswd bool // require RegistryUser / RegistryPassword
	TLS      bool // serve HTTPS with a certificate from a fresh test CA
}

// Registry is a CNCF distribution registry process on 127.0.0.1.
type Registry struct {
	Host   string // what references use: 127.0.0.1:PORT, or registry.test:PORT with TLS
	Addr   string // 127.0.0.1:PORT
	CAPool *x509.CertPool
	CAFile string // PEM of the test CA (TLS only)
	PID    int
}

// StartRegistry starts the distribution registry (tools module) with a
// generated config and filesystem storage in a temporary directory, waits
// until it answers /v2/, and stops it by PID when the test ends.
func StartRegistry(t testing.TB, o RegistryOptions) *Registry {
	t.Helper()
	bin := Tool(t, "registry")
	dir := t.TempDir()
	addr := freeAddr(t)
	r := &Registry{Host: addr, Addr: addr}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n  secret: slipway-test-secret\n", filepath.Join(dir, "data"), addr)
	if o.TLS {
		certFile, keyFile := r.writeCerts(t, dir)
		fmt.Fprintf(&cfg, "  tls:\n    certificate: %s\n    key: %s\n", certFile, keyFile)
		_, port, _ := net.SplitHostPort(addr)
		r.Host = TLSRegistryHost + ":" + port
	}
	if o.Htpasswd {
		hp := filepath.Join(dir, "htpasswd")
		if err := os.WriteFile(hp, []byte(registryHtpasswd), 0o600); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&cfg, "auth:\n  htpasswd:\n    realm: slipway-test\n    path: %s\n", hp)
	}
	cfgFile := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", cfgFile)
	logf, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "OTEL_TRACES_EXPORTER=none")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.PID = cmd.Process.Pid
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
	})
	client := &http.Client{Transport: r.Transport(), Timeout: 2 * time.Second}
	scheme := "http"
	if o.TLS {
		scheme = "https"
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get(scheme + "://" + r.Host + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return r
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "registry.log"))
			t.Fatalf("registry at %s did not come up: %v\n%s", r.Host, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Transport returns an HTTP transport that trusts the registry's test CA and
// dials registry.test on 127.0.0.1.
func (r *Registry) Transport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if r.CAPool != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: r.CAPool, MinVersion: tls.VersionTLS12}
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr.DialContext = func(ctx context.Context, network, address string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(address)
		if err == nil && host == TLSRegistryHost {
			address = net.JoinHostPort("127.0.0.1", port)
		}
		return d.DialContext(ctx, network, address)
	}
	return tr
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// writeCerts makes a test CA and a server certificate for registry.test and
// 127.0.0.1, and returns the certificate and key files.
func (r *Registry) writeCerts(t testing.TB, dir string) (string, string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Slipway test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: TLSRegistryHost},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		DNSNames: []string{TLSRegistryHost}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	r.CAFile = write("ca.pem", "CERTIFICATE", caDER)
	r.CAPool = x509.NewCertPool()
	r.CAPool.AddCert(caCert)
	return write("cert.pem", "CERTIFICATE", der), write("key.pem", "EC PRIVATE KEY", keyDER)
}
