// counter: adds numbers to a durable total. State is the JSON {"total":N}.
// Implements the counter contract of examples/README.md, byte for byte.
package main

import (
	"errors"
	"strconv"

	"granary/sdk/granary"
)

type counter struct {
	granary.BaseGrain
	total int64
}

func init() { granary.Register(&counter{}) }

// main never runs: the module is a library whose entry points are the grain's exports.
func main() {}

// Activate loads the saved total; an identity never saved starts at 0. A state that is not
// {"total":N} fails the activation rather than being overwritten.
func (c *counter) Activate() error {
	state, saved, err := granary.LoadObject()
	if err != nil || !saved {
		return err
	}
	c.total, err = state.Int("total")
	return err
}

func (c *counter) Handle(method string, payload []byte) ([]byte, error) {
	switch method {
	case "add":
		req, err := granary.ParseObject(payload)
		if err != nil {
			return nil, err
		}
		n, err := req.Int("n")
		if err != nil {
			return nil, err
		}
		if (n > 0 && c.total > maxInt64-n) || (n < 0 && c.total < minInt64-n) {
			return nil, errors.New("total would overflow")
		}
		next := totalJSON(c.total + n)
		if err := granary.SaveState(next); err != nil {
			return nil, err
		}
		c.total += n
		return next, nil

	case "get":
		return totalJSON(c.total), nil

	case "whoami":
		id := granary.SelfID()
		return granary.NewObject().String("kind", id.Kind).String("identity", id.Identity).Bytes(), nil

	case "log":
		granary.Log(granary.LevelInfo, string(payload))
		return granary.QuoteJSON("logged"), nil

	case "call":
		req, err := granary.ParseObject(payload)
		if err != nil {
			return nil, err
		}
		target, err := req.String("target")
		if err != nil {
			return nil, err
		}
		callee, err := granary.ParseGrainID(target)
		if err != nil {
			return nil, granary.BadPayload(`target must be "kind/identity", got ` + strconv.Quote(target))
		}
		calleeMethod, err := req.String("method")
		if err != nil {
			return nil, err
		}
		body, _ := req.Raw("payload") // compact JSON text; none when absent
		return granary.Call(callee.Kind, callee.Identity, calleeMethod, body)

	case "set-timeout":
		req, err := granary.ParseObject(payload)
		if err != nil {
			return nil, err
		}
		millis, err := req.Int("millis")
		if err != nil {
			return nil, err
		}
		if millis < 0 {
			return nil, granary.BadPayload("millis must not be negative, got " + strconv.FormatInt(millis, 10))
		}
		granary.SetReceiveTimeout(uint64(millis))
		return granary.QuoteJSON("ok"), nil
	}
	return nil, errors.New("unknown method " + strconv.Quote(method) +
		": counter has add, get, whoami, log, call, set-timeout")
}

func totalJSON(total int64) []byte { return granary.NewObject().Int("total", total).Bytes() }

const (
	maxInt64 = 1<<63 - 1
	minInt64 = -1 << 63
)
