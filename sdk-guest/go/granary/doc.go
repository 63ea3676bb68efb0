// Package granary writes Granary grains in Go, with the standard library only.
//
// Implement Grain, Register it from an init function (main never runs in a c-shared module),
// and build with GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared; examples/go/build.sh
// turns the result into a component of world granary:grain/grain@0.1.0. See ../README.md.
//
//	type counter struct {
//		granary.BaseGrain
//		total int64
//	}
//
//	func init() { granary.Register(&counter{}) }
//	func main() {}
//
//	func (c *counter) Handle(method string, payload []byte) ([]byte, error) {
//		switch method {
//		case "get":
//			return granary.NewObject().Int("total", c.total).Bytes(), nil
//		}
//		return nil, errors.New("unknown method " + strconv.Quote(method))
//	}
//
// The host API (SelfID, Log, LoadState, SaveState, Call, Send, SetReceiveTimeout) and the
// canonical ABI behind it exist only for GOOS=wasip1 GOARCH=wasm; the JSON helpers
// (ParseObject, NewObject, CompactJSON, QuoteJSON) build anywhere, so they can be tested natively.
package granary
