// `__NAME__`: a Granary grain. `./build.sh` makes __NAME__.wasm; README.md says what next.
package main

import (
	"errors"
	"strconv"

	"granary/sdk/granary"
)

// greeter counts, durably, how many greetings this identity has given: state {"count":N}.
type greeter struct {
	granary.BaseGrain
	count int64
}

func init() { granary.Register(&greeter{}) }

// main never runs: the module is a library whose entry points are the grain's exports.
func main() {}

func (g *greeter) Activate() error {
	state, saved, err := granary.LoadObject()
	if err != nil || !saved {
		return err
	}
	g.count, err = state.Int("count")
	return err
}

func (g *greeter) Handle(method string, payload []byte) ([]byte, error) {
	if method != "greet" {
		return nil, errors.New("unknown method " + strconv.Quote(method) + ": __NAME__ has greet")
	}
	req, err := granary.ParseObject(payload)
	if err != nil {
		return nil, err
	}
	name, err := req.String("name")
	if err != nil {
		return nil, err
	}
	if err := granary.SaveState(granary.NewObject().Int("count", g.count+1).Bytes()); err != nil {
		return nil, err
	}
	g.count++
	return granary.NewObject().String("greeting", "Hello, "+name+"!").Int("count", g.count).Bytes(), nil
}
