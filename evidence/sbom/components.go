package sbom

import (
	"regexp"
	"sort"
	"strings"

	"github.com/anchore/syft/syft/pkg"
)

// networkComponents names well-known components that provide network
// services or clients (HTTP servers and frameworks, gRPC, MQTT, WebSocket),
// by package name as syft reports it. Go modules match on the module path
// without a major-version suffix. A curated list, not an analysis: it
// flags what a reviewer should look at.
var networkComponents = map[string]bool{
	// Go
	"github.com/gin-gonic/gin": true, "github.com/labstack/echo": true, "github.com/gofiber/fiber": true,
	"google.golang.org/grpc": true, "github.com/eclipse/paho.mqtt.golang": true, "github.com/eclipse/paho.golang": true,
	"github.com/gorilla/mux": true, "github.com/gorilla/websocket": true, "github.com/go-chi/chi": true,
	"github.com/valyala/fasthttp": true, "golang.org/x/net": true, "github.com/julienschmidt/httprouter": true,
	"nhooyr.io/websocket": true, "github.com/coder/websocket": true, "github.com/quic-go/quic-go": true,
	"github.com/mochi-mqtt/server": true, "github.com/grpc-ecosystem/grpc-gateway": true,
	// JavaScript
	"express": true, "koa": true, "fastify": true, "@hapi/hapi": true, "hapi": true, "mqtt": true, "ws": true,
	"socket.io": true, "@grpc/grpc-js": true, "grpc": true, "http-server": true, "restify": true,
	"@nestjs/core": true, "next": true, "aedes": true, "axios": true, "node-fetch": true, "undici": true,
	// Python
	"flask": true, "fastapi": true, "uvicorn": true, "django": true, "aiohttp": true, "tornado": true,
	"paho-mqtt": true, "grpcio": true, "requests": true, "httpx": true, "gunicorn": true, "starlette": true,
	"websockets": true, "twisted": true, "sanic": true, "urllib3": true, "amqtt": true, "hbmqtt": true,
	// Java and others
	"io.netty:netty-all": true, "netty-all": true, "netty-codec-http": true, "spring-web": true, "spring-webmvc": true,
	"okhttp": true, "jetty-server": true, "tomcat-embed-core": true, "undertow-core": true, "vertx-core": true,
	"org.eclipse.paho.client.mqttv3": true, "grpc-netty": true, "grpc-core": true,
	"hyper": true, "tokio": true, "actix-web": true, "axum": true, "reqwest": true, "tonic": true, "rumqttc": true,
	"rails": true, "sinatra": true, "puma": true,
	"mosquitto": true, "libmosquitto1": true, "nginx": true, "openssh-server": true, "lighttpd": true, "libcurl": true, "curl": true,
}

var goMajorSuffix = regexp.MustCompile(`/v[0-9]+$`)

func isNetworkComponent(name string) bool {
	n := strings.ToLower(name)
	if networkComponents[n] {
		return true
	}
	return networkComponents[goMajorSuffix.ReplaceAllString(n, "")]
}

// components summarises the merged catalogue for later stages.
func components(pkgs []pkg.Package, facts factSet) []Component {
	var out []Component
	for _, p := range pkgs {
		c := Component{
			Name:     p.Name,
			Version:  p.Version,
			Type:     string(p.Type),
			PURL:     p.PURL,
			Licences: licences(p),
			TopLevel: facts.pkgs[p.ID()].direct,
			Network:  isNetworkComponent(p.Name),
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		if out[i].Version != out[j].Version {
			return out[i].Version < out[j].Version
		}
		return out[i].Type < out[j].Type
	})
	return out
}

func licences(p pkg.Package) []string {
	var out []string
	for _, l := range p.Licenses.ToSlice() {
		v := l.SPDXExpression
		if v == "" {
			v = l.Value
		}
		if v != "" {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return dedupe(out)
}
