//go:build wasip1 && wasm

package granary

import (
	"errors"
	"strconv"
)

// ReminderReceiver is a Grain that takes its reminders' ticks (see SetReminder). Delivery is
// at least once: tick increases by one per firing, so a tick not above the last one seen is
// a repeat. An error is logged by the node; the reminder goes on.
type ReminderReceiver interface {
	ReceiveReminder(name string, tick uint64) error
}

// Event is one event of a topic the grain's kind subscribes to
// (`granary kind push ... --subscribe TOPIC`).
type Event struct {
	Topic string
	Key   string
	// Sequence numbers the events of (Topic, Key) from 1: one already seen is a repeat.
	Sequence uint64
	Payload  []byte
}

// EventReceiver is a Grain that takes the events of its kind's topics, in order per
// (topic, key). An error has the event delivered again later; the events after it wait.
type EventReceiver interface {
	ReceiveEvent(event Event) error
}

func receiveReminder(name string, tick uint64) (err error) {
	receiver, ok := grain().(ReminderReceiver)
	if !ok {
		return errors.New("this grain does not handle reminders (got " + strconv.Quote(name) + ")")
	}
	defer recoverInto(&err, "receive-reminder")
	return receiver.ReceiveReminder(name, tick)
}

func receiveEvent(event Event) (err error) {
	receiver, ok := grain().(EventReceiver)
	if !ok {
		return errors.New("this grain does not handle events (got one on " + strconv.Quote(event.Topic) + ")")
	}
	defer recoverInto(&err, "receive-event")
	return receiver.ReceiveEvent(event)
}

// recoverInto turns a panic in export `what` into its error result.
func recoverInto(err *error, what string) {
	if r := recover(); r != nil {
		*err = errors.New("panic in " + what + ": " + panicText(r))
		Log(LevelError, (*err).Error())
	}
}

// hostError is the error string an import wrote at words index, index+1 of the return area.
func hostError(prefix string, index int) error {
	msg := string(bytesAt(retArea[index], retArea[index+1]))
	release()
	return errors.New(prefix + msg)
}

// SetReminder durably sets (or replaces) this grain's reminder name: first due after
// dueAfterMs, then every periodMs (0: once). Its ticks come to ReceiveReminder.
func SetReminder(name string, dueAfterMs, periodMs uint64) error {
	name = validUTF8(name)
	hostSetReminder(strPtr(name), uint32(len(name)), dueAfterMs, periodMs, ret())
	if tag(retArea[0]) == 0 {
		release()
		return nil
	}
	return hostError("cannot set the reminder: ", 1)
}

// CancelReminder durably removes the reminder name; false if there was none.
func CancelReminder(name string) (bool, error) {
	name = validUTF8(name)
	hostCancelReminder(strPtr(name), uint32(len(name)), ret())
	if tag(retArea[0]) == 0 {
		cancelled := tag(retArea[1]) != 0
		release()
		return cancelled, nil
	}
	return false, hostError("cannot cancel the reminder: ", 1)
}

// Publish durably appends an event to topic under key and returns its sequence number on
// (topic, key). Every kind subscribed to topic receives it.
func Publish(topic, key string, payload []byte) (uint64, error) {
	if len(payload) > PayloadLimit {
		return 0, errors.New("cannot publish: " + tooLarge("event", uint32(len(payload))).Error())
	}
	topic, key = validUTF8(topic), validUTF8(key)
	hostPublish(strPtr(topic), uint32(len(topic)), strPtr(key), uint32(len(key)), bytesPtr(payload), uint32(len(payload)), ret())
	if tag(retArea[0]) == 0 {
		sequence := uint64(retArea[2]) | uint64(retArea[3])<<32
		release()
		return sequence, nil
	}
	return 0, hostError("cannot publish: ", 2)
}
