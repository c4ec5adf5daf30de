// Package sigstoretest is a Sigstore instance for tests, offline: a
// Fulcio, a Rekor and OIDC token endpoints behind local httptest servers,
// built on sigstore-go's virtual Sigstore (pkg/testing/ca). The real
// sigstore-go clients talk to it over HTTP, exactly as they talk to the
// public-good instance, and TrustedRoot describes it the way a
// trusted_root.json describes a real one.
//
// Fulcio issues a short-lived code-signing certificate for the client's
// public key, after checking the OIDC token it issued and the proof of
// possession, with the identity and issuer in Fulcio's extensions and an
// embedded SCT from the instance's CT log. Rekor canonicalises the
// proposed entry with rekor's own types, signs an entry timestamp (SET)
// with the virtual Sigstore's log key and returns an inclusion proof.
// Knobs make it misbehave the ways a verifier must catch.
package sigstoretest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-openapi/runtime"
	"github.com/go-openapi/strfmt"
	ct "github.com/google/certificate-transparency-go"
	cttls "github.com/google/certificate-transparency-go/tls"
	ctx509 "github.com/google/certificate-transparency-go/x509"
	"github.com/google/certificate-transparency-go/x509util"
	"github.com/sigstore/rekor/pkg/generated/models"
	"github.com/sigstore/rekor/pkg/types"
	_ "github.com/sigstore/rekor/pkg/types/dsse/v0.0.1"         // registers the dsse entry type
	_ "github.com/sigstore/rekor/pkg/types/hashedrekord/v0.0.1" // registers the hashedrekord entry type
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/transparency-dev/merkle/rfc6962"
)

// Issuers of the test tokens: the values real CI platforms put in `iss`.
const (
	GitHubIssuer = "https://token.actions.githubusercontent.com"
	GitLabIssuer = "https://gitlab.com"
)

// Sigstore is one test instance.
type Sigstore struct {
	Fulcio *httptest.Server
	Rekor  *httptest.Server

	vs        *ca.VirtualSigstore
	caRoot    *x509.Certificate
	caInter   *x509.Certificate
	interKey  *ecdsa.PrivateKey
	ctKey     *ecdsa.PrivateKey
	validFrom time.Time

	mu sync.Mutex
	// tokens issued by this instance, with their claims: Fulcio accepts
	// only these, as a real Fulcio accepts only its issuers' signed tokens.
	tokens    map[string]map[string]any
	nextIndex int64
	// Certificates and Entries count what Fulcio and Rekor issued.
	Certificates, Entries int

	// CertificateStart is when Fulcio's certificates become valid (they
	// last ten minutes, as Fulcio's do); nil: a minute ago.
	CertificateStart func() time.Time
	// IntegratedTime is the time Rekor records; nil: now.
	IntegratedTime func() time.Time
	// OmitInclusionProof makes Rekor answer without an inclusion proof.
	OmitInclusionProof bool
	// OmitSCT makes Fulcio issue certificates without an embedded SCT.
	OmitSCT bool
}

// New starts a Fulcio and a Rekor; both stop when the test ends.
func New(t testing.TB) *Sigstore {
	t.Helper()
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	rootCert, rootKey, err := ca.GenerateRootCa()
	if err != nil {
		t.Fatal(err)
	}
	inter, interKey, err := ca.GenerateFulcioIntermediate(rootCert, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	ctKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := &Sigstore{vs: vs, caRoot: rootCert, caInter: inter, interKey: interKey, ctKey: ctKey,
		validFrom: time.Now().Add(-4 * time.Hour), tokens: map[string]map[string]any{}, nextIndex: 7000}
	s.Fulcio = httptest.NewServer(http.HandlerFunc(s.serveFulcio))
	s.Rekor = httptest.NewServer(http.HandlerFunc(s.serveRekor))
	t.Cleanup(s.Fulcio.Close)
	t.Cleanup(s.Rekor.Close)
	return s
}

// Token issues an OIDC token Fulcio accepts, with claims (iss, aud and
// exp are filled in when missing: this instance, "sigstore", an hour).
func (s *Sigstore) Token(t testing.TB, claims map[string]any) string {
	t.Helper()
	c := map[string]any{"iss": GitHubIssuer, "aud": "sigstore", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}
	for k, v := range claims {
		c[k] = v
	}
	payload, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, 32)
	_, _ = rand.Read(nonce)
	tok := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(nonce)
	s.mu.Lock()
	s.tokens[tok] = c
	s.mu.Unlock()
	return tok
}

// GitHubClaims are the claims of a GitHub Actions token for a workflow
// run: Fulcio's identity is https://github.com/ + job_workflow_ref.
func GitHubClaims(workflowRef string) map[string]any {
	repo, _, _ := strings.Cut(workflowRef, "/.github/")
	return map[string]any{"iss": GitHubIssuer, "sub": "repo:" + repo + ":ref:refs/heads/main", "job_workflow_ref": workflowRef, "repository": repo}
}

// GitHubIdentity is the certificate identity Fulcio gives a GitHub
// workflow.
func GitHubIdentity(workflowRef string) string { return "https://github.com/" + workflowRef }

// GitHubOIDC serves ACTIONS_ID_TOKEN_REQUEST_URL: with the runner's
// request token it answers a token for the requested audience, with the
// claims of workflowRef; status other than 200 makes it refuse, as GitHub
// does for a job without `permissions: id-token: write`.
func (s *Sigstore) GitHubOIDC(t testing.TB, requestToken, workflowRef string, status int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+requestToken {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		if status != http.StatusOK {
			http.Error(w, `{"message":"Resource not accessible by integration"}`, status)
			return
		}
		claims := GitHubClaims(workflowRef)
		claims["aud"] = r.URL.Query().Get("audience")
		_ = json.NewEncoder(w).Encode(map[string]string{"value": s.Token(t, claims)})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TrustedRoot is this instance as a trusted_root.json: the Fulcio CA, the
// CT log, the virtual Sigstore's Rekor log and timestamp authority.
func (s *Sigstore) TrustedRoot(t testing.TB) []byte {
	t.Helper()
	rawID := func(pub crypto.PublicKey) []byte {
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(der)
		return sum[:]
	}
	fulcio := &root.FulcioCertificateAuthority{Root: s.caRoot, Intermediates: []*x509.Certificate{s.caInter},
		ValidityPeriodStart: s.validFrom, URI: s.Fulcio.URL}
	ctID := rawID(s.ctKey.Public())
	ctlogs := map[string]*root.TransparencyLog{hex.EncodeToString(ctID): {
		BaseURL: "https://ctfe.localhost/test", ID: ctID, ValidityPeriodStart: s.validFrom, HashFunc: crypto.SHA256,
		PublicKey: s.ctKey.Public(), SignatureHashFunc: crypto.SHA256,
	}}
	rekors := rawLogIDs(t, s.vs.RekorLogs())
	for _, l := range rekors {
		l.ValidityPeriodStart, l.ValidityPeriodEnd = s.validFrom, time.Time{}
	}
	return trustedRootJSON(t, []root.CertificateAuthority{fulcio}, ctlogs, s.vs.TimestampingAuthorities(), rekors)
}

// VirtualTrustedRoot describes a sigstore-go VirtualSigstore — its Fulcio
// CA, CT and Rekor logs and timestamp authority — as a trusted_root.json,
// for bundles vs.Sign makes (a release's keyless signatures).
func VirtualTrustedRoot(t testing.TB, vs *ca.VirtualSigstore) []byte {
	t.Helper()
	return trustedRootJSON(t, vs.FulcioCertificateAuthorities(), rawLogIDs(t, vs.CTLogs()), vs.TimestampingAuthorities(), rawLogIDs(t, vs.RekorLogs()))
}

// rawLogIDs copies a VirtualSigstore's logs with their raw IDs: it keys
// and names them by the hex log ID, while a trusted_root.json carries the
// raw SHA-256 of the log key, as the public-good root does.
func rawLogIDs(t testing.TB, logs map[string]*root.TransparencyLog) map[string]*root.TransparencyLog {
	t.Helper()
	out := make(map[string]*root.TransparencyLog, len(logs))
	for id, l := range logs {
		c := *l
		raw, err := hex.DecodeString(id)
		if err != nil {
			t.Fatal(err)
		}
		c.ID = raw
		out[id] = &c
	}
	return out
}

func trustedRootJSON(t testing.TB, cas []root.CertificateAuthority, ctlogs map[string]*root.TransparencyLog, tsas []root.TimestampingAuthority, rekors map[string]*root.TransparencyLog) []byte {
	t.Helper()
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, cas, ctlogs, tsas, rekors)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// WriteTrustedRoot writes TrustedRoot to dir/trusted_root.json.
func (s *Sigstore) WriteTrustedRoot(t testing.TB, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "trusted_root.json")
	if err := os.WriteFile(p, s.TrustedRoot(t), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// serveFulcio is POST /api/v2/signingCert.
func (s *Sigstore) serveFulcio(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/v2/signingCert" {
		http.NotFound(w, r)
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	claims, known := s.tokens[tok]
	s.mu.Unlock()
	if !ok || !known {
		http.Error(w, `{"code":16,"message":"There was an error processing the identity token"}`, http.StatusUnauthorized)
		return
	}
	if exp, _ := claims["exp"].(int64); exp != 0 && time.Now().Unix() > exp {
		http.Error(w, `{"code":16,"message":"token expired"}`, http.StatusUnauthorized)
		return
	}
	if claims["aud"] != "sigstore" {
		http.Error(w, `{"code":16,"message":"audience not sigstore"}`, http.StatusUnauthorized)
		return
	}
	var req struct {
		PublicKeyRequest struct {
			PublicKey struct {
				Content string `json:"content"`
			} `json:"publicKey"`
			ProofOfPossession string `json:"proofOfPossession"`
		} `json:"publicKeyRequest"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	block, _ := pem.Decode([]byte(req.PublicKeyRequest.PublicKey.Content))
	if block == nil {
		http.Error(w, "public key is not PEM", http.StatusBadRequest)
		return
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// Proof of possession: the key signed the token's subject.
	subject, _ := claims["email"].(string)
	if subject == "" {
		subject, _ = claims["sub"].(string)
	}
	pop, _ := base64.StdEncoding.DecodeString(req.PublicKeyRequest.ProofOfPossession)
	sum := sha256.Sum256([]byte(subject))
	if ek, ok := pub.(*ecdsa.PublicKey); !ok || !ecdsa.VerifyASN1(ek, sum[:], pop) {
		http.Error(w, `{"code":3,"message":"proof of possession does not verify"}`, http.StatusBadRequest)
		return
	}
	leaf, err := s.issue(pub, claims)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var chain []string
	for _, c := range []*x509.Certificate{leaf, s.caInter, s.caRoot} {
		chain = append(chain, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"signedCertificateEmbeddedSct": map[string]any{"chain": map[string]any{"certificates": chain}}})
}

// Fulcio's certificate extensions (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md).
var (
	oidIssuerV1 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}
	oidIssuerV2 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}
)

// issue makes the code-signing certificate for pub with an embedded SCT:
// the precertificate's TBS is signed by the CT log, then the certificate
// is made again from the same template with the SCT list added.
func (s *Sigstore) issue(pub crypto.PublicKey, claims map[string]any) (*x509.Certificate, error) {
	start := time.Now().Add(-time.Minute)
	if s.CertificateStart != nil {
		start = s.CertificateStart()
	}
	issuer, _ := claims["iss"].(string)
	issuerV2, err := asn1.MarshalWithParams(issuer, "utf8")
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		NotBefore:    start,
		NotAfter:     start.Add(10 * time.Minute),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		ExtraExtensions: []pkix.Extension{
			{Id: oidIssuerV1, Value: []byte(issuer)},
			{Id: oidIssuerV2, Value: issuerV2},
		},
	}
	switch identity := Identity(claims); {
	case strings.Contains(identity, "://"):
		u, err := url.Parse(identity)
		if err != nil {
			return nil, err
		}
		tmpl.URIs = []*url.URL{u}
	default:
		tmpl.EmailAddresses = []string{identity}
	}
	pre, err := s.create(tmpl, pub)
	if err != nil || s.OmitSCT {
		return pre, err
	}
	sct, err := s.sign(pre)
	if err != nil {
		return nil, err
	}
	list, err := x509util.MarshalSCTsIntoSCTList([]*ct.SignedCertificateTimestamp{sct})
	if err != nil {
		return nil, err
	}
	raw, err := cttls.Marshal(*list)
	if err != nil {
		return nil, err
	}
	ext, err := asn1.Marshal(raw)
	if err != nil {
		return nil, err
	}
	tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: asn1.ObjectIdentifier(ctx509.OIDExtensionCTSCT), Value: ext})
	s.mu.Lock()
	s.Certificates++
	s.mu.Unlock()
	return s.create(tmpl, pub)
}

// Identity is the subject alternative name Fulcio derives from claims:
// the workflow for GitHub (https://github.com/ + job_workflow_ref), the
// pipeline configuration for GitLab (https:// + ci_config_ref_uri), else
// the verified e-mail or the subject.
func Identity(claims map[string]any) string {
	if v, _ := claims["job_workflow_ref"].(string); v != "" {
		return "https://github.com/" + v
	}
	if v, _ := claims["ci_config_ref_uri"].(string); v != "" {
		return "https://" + v
	}
	if v, _ := claims["email"].(string); v != "" {
		return v
	}
	v, _ := claims["sub"].(string)
	return v
}

func (s *Sigstore) create(tmpl *x509.Certificate, pub crypto.PublicKey) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.caInter, pub, s.interKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// sign makes the CT log's SCT over the precertificate (RFC 6962 3.2).
func (s *Sigstore) sign(pre *x509.Certificate) (*ct.SignedCertificateTimestamp, error) {
	der, err := x509.MarshalPKIXPublicKey(s.ctKey.Public())
	if err != nil {
		return nil, err
	}
	sct := ct.SignedCertificateTimestamp{SCTVersion: ct.V1, LogID: ct.LogID{KeyID: sha256.Sum256(der)}, Timestamp: uint64(time.Now().UnixMilli())}
	leaf := ct.MerkleTreeLeaf{Version: ct.V1, LeafType: ct.TimestampedEntryLeafType, TimestampedEntry: &ct.TimestampedEntry{
		EntryType: ct.PrecertLogEntryType, Timestamp: sct.Timestamp,
		PrecertEntry: &ct.PreCert{IssuerKeyHash: sha256.Sum256(s.caInter.RawSubjectPublicKeyInfo), TBSCertificate: pre.RawTBSCertificate},
	}}
	input, err := ct.SerializeSCTSignatureInput(sct, ct.LogEntry{Leaf: leaf})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(input)
	sig, err := ecdsa.SignASN1(rand.Reader, s.ctKey, sum[:])
	if err != nil {
		return nil, err
	}
	sct.Signature = ct.DigitallySigned{Algorithm: cttls.SignatureAndHashAlgorithm{Hash: cttls.SHA256, Signature: cttls.ECDSA}, Signature: sig}
	return &sct, nil
}

// serveRekor is POST /api/v1/log/entries, Rekor v1's API.
func (s *Sigstore) serveRekor(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/v1/log/entries" {
		http.NotFound(w, r)
		return
	}
	pe, err := models.UnmarshalProposedEntry(r.Body, runtime.JSONConsumer())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	impl, err := types.CreateVersionedEntry(pe)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	body, err := types.CanonicalizeEntry(r.Context(), impl)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	integrated := time.Now()
	if s.IntegratedTime != nil {
		integrated = s.IntegratedTime()
	}
	logID, err := s.vs.RekorLogID()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	index := s.nextIndex
	s.nextIndex++
	s.Entries++
	s.mu.Unlock()
	b64 := base64.StdEncoding.EncodeToString(body)
	set, err := s.vs.RekorSignPayload(tlog.RekorPayload{Body: b64, IntegratedTime: integrated.Unix(), LogIndex: index, LogID: logID})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	unix := integrated.Unix()
	entry := models.LogEntryAnon{Body: b64, IntegratedTime: &unix, LogID: &logID, LogIndex: &index,
		Verification: &models.LogEntryAnonVerification{SignedEntryTimestamp: strfmt.Base64(set)}}
	if !s.OmitInclusionProof {
		// Each entry is proven in a tree of its own: the shard index in
		// the proof is 0, the global log index is the entry's.
		proof, err := s.vs.GetInclusionProof(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		entry.Verification.InclusionProof = proof
	}
	uuid := hex.EncodeToString(rfc6962.DefaultHasher.HashLeaf(body))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ETag", uuid)
	w.Header().Set("Location", "/api/v1/log/entries/"+uuid)
	w.WriteHeader(http.StatusCreated)
	var out bytes.Buffer
	_ = json.NewEncoder(&out).Encode(map[string]models.LogEntryAnon{uuid: entry})
	_, _ = w.Write(out.Bytes())
}

// TUFRepository serves data as the target trusted_root.json of a TUF
// repository with fresh keys (no consistent snapshots), the way Sigstore
// distributes its trusted root. It returns the server and the root.json a
// client starts from.
func TUFRepository(t testing.TB, data []byte) (*httptest.Server, []byte) {
	t.Helper()
	expires := time.Now().Add(24 * time.Hour)
	targets := metadata.Targets(expires)
	tf, err := metadata.TargetFile().FromBytes("trusted_root.json", data, "sha256")
	if err != nil {
		t.Fatal(err)
	}
	targets.Signed.Targets["trusted_root.json"] = tf
	snapshot := metadata.Snapshot(expires)
	timestamp := metadata.Timestamp(expires)
	rootMeta := metadata.Root(expires)
	rootMeta.Signed.ConsistentSnapshot = false
	signers := map[string]signature.Signer{}
	for _, role := range []string{metadata.ROOT, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP} {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key, err := metadata.KeyFromPublicKey(priv.Public())
		if err != nil {
			t.Fatal(err)
		}
		if err := rootMeta.Signed.AddKey(key, role); err != nil {
			t.Fatal(err)
		}
		if signers[role], err = signature.LoadSigner(priv, crypto.Hash(0)); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string][]byte{"/targets/trusted_root.json": data}
	sign := func(name string, m interface {
		Sign(signature.Signer) (*metadata.Signature, error)
		ToBytes(bool) ([]byte, error)
	}, role string) {
		if _, err := m.Sign(signers[role]); err != nil {
			t.Fatal(err)
		}
		b, err := m.ToBytes(false)
		if err != nil {
			t.Fatal(err)
		}
		files["/"+name] = b
	}
	sign("1.root.json", rootMeta, metadata.ROOT)
	sign("targets.json", targets, metadata.TARGETS)
	sign("snapshot.json", snapshot, metadata.SNAPSHOT)
	sign("timestamp.json", timestamp, metadata.TIMESTAMP)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv, files["/1.root.json"]
}

// String names the instance in test logs.
func (s *Sigstore) String() string {
	return fmt.Sprintf("test Sigstore (Fulcio %s, Rekor %s)", s.Fulcio.URL, s.Rekor.URL)
}
