//go:build wasip1 && wasm

package granary

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Grain is one grain kind. Each activation runs in its own instance, so the registered value
// serves exactly one identity, one message at a time.
type Grain interface {
	// Activate runs once per activation, before the first message (load state here).
	// An error fails the activation.
	Activate() error
	// Handle handles one message; an error is returned to the caller as a failed call.
	Handle(method string, payload []byte) ([]byte, error)
	// Deactivate runs before the activation is dropped. State saved in Handle is already durable.
	Deactivate()
}

// BaseGrain gives a Grain empty Activate and Deactivate methods when embedded.
type BaseGrain struct{}

// Activate does nothing.
func (BaseGrain) Activate() error { return nil }

// Deactivate does nothing.
func (BaseGrain) Deactivate() {}

var registered Grain

// Register makes g this component's grain. Call it once, from an init function: in a
// c-shared module main never runs.
func Register(g Grain) {
	if registered != nil {
		panic("granary: Register called twice")
	}
	registered = g
}

func grain() Grain {
	if registered == nil {
		panic("granary: no grain registered: call granary.Register from an init function")
	}
	return registered
}

func activate() {
	if err := grain().Activate(); err != nil {
		Log(LevelError, "activate failed: "+err.Error())
		panic("granary: activate failed: " + err.Error()) // traps: the activation is refused
	}
}

// handle runs the grain's Handle; a panic becomes an error result rather than a trap.
func handle(method string, payload []byte) (reply []byte, err error) {
	g := grain()
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("panic in " + strconv.Quote(method) + ": " + panicText(r))
			Log(LevelError, err.Error())
		}
	}()
	return g.Handle(method, payload)
}

func deactivate() { grain().Deactivate() }

func panicText(r any) string {
	switch v := r.(type) {
	case error:
		return v.Error()
	case string:
		return v
	case interface{ String() string }:
		return v.String()
	}
	return "(a non-error value)"
}

// --- identity and log -------------------------------------------------------------------

// GrainID is the cluster identity of a grain.
type GrainID struct {
	Kind     string `json:"kind"`
	Identity string `json:"identity"`
}

// String is "kind/identity".
func (id GrainID) String() string { return id.Kind + "/" + id.Identity }

// ParseGrainID reads "kind/identity" (the identity may contain further slashes).
func ParseGrainID(s string) (GrainID, error) {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			if i == 0 || i == len(s)-1 {
				break
			}
			return GrainID{s[:i], s[i+1:]}, nil
		}
	}
	return GrainID{}, errors.New("bad grain id " + strconv.Quote(s) + `: expected "kind/identity"`)
}

var self *GrainID

// SelfID is the identity this instance runs as.
func SelfID() GrainID {
	if self == nil {
		r := ret()
		hostSelfID(r)
		if spilled() {
			release()
			panic("granary: self-id did not fit the arena")
		}
		id := GrainID{
			Kind:     string(bytesAt(retArea[0], retArea[1])),
			Identity: string(bytesAt(retArea[2], retArea[3])),
		}
		release()
		self = &id
	}
	return *self
}

// LogLevel is the severity of a Log line.
type LogLevel uint32

// The levels of the node's log, in WIT order.
const (
	LevelTrace LogLevel = iota
	LevelDebug
	LevelInfo
	LevelWarn
	LevelError
)

// Log writes a line to the node's log, tagged with this grain's identity.
// Lines over 16 KiB are cut by the node.
func Log(level LogLevel, msg string) {
	if level > LevelError {
		level = LevelError
	}
	msg = validUTF8(msg)
	hostLog(uint32(level), strPtr(msg), uint32(len(msg)))
}

// validUTF8 replaces invalid bytes with U+FFFD: a WIT string must be UTF-8, and the host
// would fail to read one that is not, trapping the grain.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// notUTF8 refuses a call or send whose target or method the host could not read.
func notUTF8(kind, identity, method string) error {
	if utf8.ValidString(kind) && utf8.ValidString(identity) && utf8.ValidString(method) {
		return nil
	}
	return errors.New("granary: a grain id and method must be UTF-8")
}

// --- state -----------------------------------------------------------------------------

// LoadState returns the state saved by the last activation of this identity (or by this one),
// and false for an identity never saved. A saved state over PayloadLimit (written by a grain
// in another language) cannot be received: LoadState panics, which fails the activation when
// called from Activate, rather than let the grain overwrite a state it never saw.
func LoadState() ([]byte, bool) {
	hostLoadState(ret())
	if tag(retArea[0]) == 0 {
		release()
		return nil, false
	}
	if n := retArea[2]; spilled() || n > PayloadLimit {
		release()
		panic(tooLarge("saved state", n).Error())
	}
	state := takeBytes(retArea[1], retArea[2])
	release()
	return state, true
}

// LoadObject parses the saved state as a JSON object; false for an identity never saved.
// Its errors start with "corrupt state".
func LoadObject() (Object, bool, error) {
	state, ok := LoadState()
	if !ok {
		return Object{what: "corrupt state"}, false, nil
	}
	o, err := parseObject(state, "corrupt state")
	return o, true, err
}

// SaveState durably replaces this grain's state before returning. It fails when a newer
// activation wrote since this one loaded, or when the state is over PayloadLimit.
func SaveState(state []byte) error {
	if len(state) > PayloadLimit {
		return errors.New("cannot save state: " + tooLarge("state", uint32(len(state))).Error())
	}
	hostSaveState(bytesPtr(state), uint32(len(state)), ret())
	if tag(retArea[0]) == 0 {
		release()
		return nil
	}
	msg := string(bytesAt(retArea[1], retArea[2]))
	release()
	return errors.New("cannot save state: " + msg)
}

// --- other grains ----------------------------------------------------------------------

// CallErrorKind says why a call or send did not produce the callee's reply.
type CallErrorKind uint8

// The cases of the WIT variant call-error, in order.
const (
	// Unavailable: the target could not be reached or activated.
	Unavailable CallErrorKind = iota
	// Timeout: no reply arrived before the caller's deadline.
	Timeout
	// Rejected: the host refused the call (a call cycle, a malformed grain id).
	Rejected
	// Failed: the callee returned an error result, trapped or exceeded a limit.
	Failed
)

func (k CallErrorKind) String() string {
	switch k {
	case Unavailable:
		return "unavailable"
	case Timeout:
		return "timed out"
	case Rejected:
		return "rejected"
	case Failed:
		return "failed"
	}
	return "call-error " + strconv.Itoa(int(k))
}

// CallError is a failed Call or Send. Its text reads "kind/id method: failed: why".
type CallError struct {
	Target  GrainID
	Method  string
	Kind    CallErrorKind
	Message string // empty for Timeout
}

func (e *CallError) Error() string {
	s := e.Target.String() + " " + e.Method + ": " + e.Kind.String()
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func callError(target GrainID, method string) *CallError {
	e := &CallError{Target: target, Method: method, Kind: CallErrorKind(tag(retArea[1]))}
	if e.Kind != Timeout {
		e.Message = string(bytesAt(retArea[2], retArea[3]))
	}
	return e
}

// Call sends a request to another grain and waits for its reply. A failure is a *CallError,
// or an error about the reply being over PayloadLimit.
func Call(kind, identity, method string, payload []byte) ([]byte, error) {
	if err := notUTF8(kind, identity, method); err != nil {
		return nil, err
	}
	hostCall(strPtr(kind), uint32(len(kind)), strPtr(identity), uint32(len(identity)),
		strPtr(method), uint32(len(method)), bytesPtr(payload), uint32(len(payload)), ret())
	target := GrainID{kind, identity}
	if tag(retArea[0]) == 0 && (spilled() || retArea[2] > PayloadLimit) {
		release()
		return nil, errors.New(target.String() + " " + method + ": " + tooLarge("reply", retArea[2]).Error())
	}
	if spilled() { // an error message over the arena
		release()
		return nil, &CallError{Target: target, Method: method, Kind: CallErrorKind(tag(retArea[1])),
			Message: "(a message over the payload limit)"}
	}
	if tag(retArea[0]) == 0 {
		reply := takeBytes(retArea[1], retArea[2])
		release()
		return reply, nil
	}
	err := callError(target, method)
	release()
	return nil, err
}

// Send delivers a one-way message to another grain; it returns once the message is queued.
// A refusal is a *CallError.
func Send(kind, identity, method string, payload []byte) error {
	if err := notUTF8(kind, identity, method); err != nil {
		return err
	}
	hostSend(strPtr(kind), uint32(len(kind)), strPtr(identity), uint32(len(identity)),
		strPtr(method), uint32(len(method)), bytesPtr(payload), uint32(len(payload)), ret())
	target := GrainID{kind, identity}
	if spilled() {
		release()
		return &CallError{Target: target, Method: method, Kind: CallErrorKind(tag(retArea[1])),
			Message: "(a message over the payload limit)"}
	}
	if tag(retArea[0]) == 0 {
		release()
		return nil
	}
	err := callError(target, method)
	release()
	return err
}

// SetReceiveTimeout deactivates this grain after millis without messages;
// 0 restores the kind's default.
func SetReceiveTimeout(millis uint64) { hostSetReceiveTimeout(millis) }
