package sbom

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// The test image: Debian-like, one dpkg package with a maintainer, one
// globally installed npm package with an author, and one jar (a component
// that is its own file, so it gets a SHA-512 and BSI properties).
const (
	fixtureOSRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
ID=debian
`
	fixtureDpkgStatus = `Package: libmosquitto1
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 120
Maintainer: Roger A. Light <roger@atchoo.org>
Architecture: amd64
Source: mosquitto
Version: 2.0.11-1.2
Description: MQTT version 5.0/3.1.1/3.1 client library

`
	fixtureNpmPackage = `{"name": "tiny-sensor", "version": "1.0.0", "author": "Jane Doe <jane@example.org>", "license": "MIT"}
`
	fixtureJarPath = "opt/app/sensor-lib-1.2.3.jar"
	fixtureTag     = "example.com/gateway:1.4.0"
)

// fixtureJar is a minimal Maven jar.
func fixtureJar(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := []struct{ name, body string }{
		{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nImplementation-Title: sensor-lib\r\nImplementation-Version: 1.2.3\r\n\r\n"},
		{"META-INF/maven/org.example/sensor-lib/pom.properties", "groupId=org.example\nartifactId=sensor-lib\nversion=1.2.3\n"},
	}
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: time.Unix(0, 0).UTC()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, f.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func fixtureImage(t *testing.T) v1.Image {
	t.Helper()
	var layerTar bytes.Buffer
	tw := tar.NewWriter(&layerTar)
	add := func(name string, body []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	add("etc/os-release", []byte(fixtureOSRelease))
	add("var/lib/dpkg/status", []byte(fixtureDpkgStatus))
	add("usr/lib/node_modules/tiny-sensor/package.json", []byte(fixtureNpmPackage))
	add(fixtureJarPath, fixtureJar(t))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	data := layerTar.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = "amd64", "linux"
	cf.Created = v1.Time{Time: time.Unix(0, 0).UTC()}
	cf.Config.ExposedPorts = map[string]struct{}{"8080/tcp": {}, "1883/tcp": {}}
	cf.Config.User = "1000:1000"
	cf.Config.Env = []string{"PATH=/usr/bin:/bin", "GATEWAY_MODE=production"}
	cf.Config.Labels = map[string]string{"org.opencontainers.image.title": "gateway"}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// writeImageFixtures writes the test image as a docker-archive, an OCI
// directory and an OCI archive under dir; it returns their base names.
func writeImageFixtures(t *testing.T, dir string) (dockerArchive, ociDir, ociArchive string) {
	t.Helper()
	img := fixtureImage(t)
	tag, err := name.NewTag(fixtureTag)
	if err != nil {
		t.Fatal(err)
	}
	dockerArchive, ociDir, ociArchive = "image.docker.tar", "image-oci", "image.oci.tar"
	if err := tarball.WriteToFile(filepath.Join(dir, dockerArchive), tag, img); err != nil {
		t.Fatal(err)
	}
	p, err := layout.Write(filepath.Join(dir, ociDir), empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	tarDir(t, filepath.Join(dir, ociDir), filepath.Join(dir, ociArchive))
	return dockerArchive, ociDir, ociArchive
}

func tarDir(t *testing.T, src, dst string) {
	t.Helper()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel == "." {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		if d.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = tw.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}
