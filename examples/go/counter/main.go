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
	// Reminder ticks this activation received (not saved), and the last tick counted.
	ticks, lastTick uint64
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
		return c.add(payload)

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

	case "remind":
		req, err := granary.ParseObject(payload)
		if err != nil {
			return nil, err
		}
		period, err := req.Int("period_ms")
		if err != nil {
			return nil, err
		}
		if period < 0 {
			return nil, granary.BadPayload("period_ms must not be negative, got " + strconv.FormatInt(period, 10))
		}
		if err := granary.SetReminder("tick", uint64(period), uint64(period)); err != nil {
			return nil, err
		}
		return granary.QuoteJSON("ok"), nil

	case "unremind":
		cancelled, err := granary.CancelReminder("tick")
		if err != nil {
			return nil, err
		}
		return granary.NewObject().Bool("cancelled", cancelled).Bytes(), nil

	case "ticks":
		return granary.NewObject().Int("ticks", int64(c.ticks)).Bytes(), nil

	case "publish":
		req, err := granary.ParseObject(payload)
		if err != nil {
			return nil, err
		}
		topic, err := req.String("topic")
		if err != nil {
			return nil, err
		}
		key, err := req.String("key")
		if err != nil {
			return nil, err
		}
		body, _ := req.Raw("payload")
		sequence, err := granary.Publish(topic, key, body)
		if err != nil {
			return nil, err
		}
		return granary.NewObject().Int("sequence", int64(sequence)).Bytes(), nil
	}
	return nil, errors.New("unknown method " + strconv.Quote(method) +
		": counter has add, get, whoami, log, call, set-timeout, remind, unremind, ticks, publish")
}

// add adds the "n" of payload to the total, durably, and replies {"total":N}.
func (c *counter) add(payload []byte) ([]byte, error) {
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
}

// ReceiveReminder counts each tick once: one not above the last one seen is a repeat.
func (c *counter) ReceiveReminder(_ string, tick uint64) error {
	if tick > c.lastTick {
		c.ticks++
		c.lastTick = tick
	}
	return nil
}

// ReceiveEvent adds the "n" of an event on a subscribed topic, as add does.
func (c *counter) ReceiveEvent(event granary.Event) error {
	_, err := c.add(event.Payload)
	return err
}

func totalJSON(total int64) []byte { return granary.NewObject().Int("total", total).Bytes() }

const (
	maxInt64 = 1<<63 - 1
	minInt64 = -1 << 63
)
