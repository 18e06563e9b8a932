package main

import (
	"reflect"
	"unsafe"

	kcp "github.com/xtaci/kcp-go/v5"
)

// kcp-go keeps its control block unexported. The capture reads it with reflect (reading
// an unexported field's integer value is allowed) to record `state`, and writes the few
// fields kcp-go's own UDPSession writes directly (stream, as SetStreamMode does) through
// their address. Nothing in kcp-go is changed.

// stateFields maps kcpvec/1 state names to kcp-go's field names.
var stateFields = []struct{ name, field string }{
	{"snd_una", "snd_una"},
	{"snd_nxt", "snd_nxt"},
	{"rcv_nxt", "rcv_nxt"},
	{"cwnd", "cwnd"},
	{"ssthresh", "ssthresh"},
	{"rx_srtt", "rx_srtt"},
	{"rx_rttval", "rx_rttvar"},
	{"rx_rto", "rx_rto"},
	{"rmt_wnd", "rmt_wnd"},
	{"probe", "probe"},
	{"state", "state"},
	{"incr", "incr"},
	{"nsnd_buf", "snd_buf"},
	{"nrcv_buf", "rcv_buf"},
	{"nsnd_que", "snd_queue"},
	{"nrcv_que", "rcv_queue"},
}

// queueLen counts a queue whatever its representation: a slice (v5.6.1), a ring buffer
// (head/tail/elements) or a heap of segments (v5.6.72).
func queueLen(v reflect.Value) int64 {
	switch v.Kind() {
	case reflect.Slice:
		return int64(v.Len())
	case reflect.Pointer:
		s := v.Elem()
		if f := s.FieldByName("segments"); f.IsValid() {
			return int64(f.Len())
		}
		head, tail := s.FieldByName("head").Int(), s.FieldByName("tail").Int()
		if head <= tail {
			return tail - head
		}
		return int64(s.FieldByName("elements").Len()) - head + tail
	}
	panic("unknown queue representation " + v.Kind().String())
}

func readState(k *kcp.KCP) obj {
	v := reflect.ValueOf(k).Elem()
	st := make(obj, 0, len(stateFields))
	for _, f := range stateFields {
		fv := v.FieldByName(f.field)
		var n int64
		switch fv.Kind() {
		case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
			n = fv.Int()
		case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
			n = int64(fv.Uint())
		default:
			n = queueLen(fv)
		}
		st = append(st, kv{f.name, n})
	}
	return st
}

// setField writes an integer field of the control block, as kcp-go's session does.
func setField(k *kcp.KCP, field string, value int64) {
	fv := reflect.ValueOf(k).Elem().FieldByName(field)
	w := reflect.NewAt(fv.Type(), unsafe.Pointer(fv.UnsafeAddr())).Elem()
	switch w.Kind() {
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		w.SetInt(value)
	default:
		w.SetUint(uint64(value))
	}
}

func fieldInt(k *kcp.KCP, field string) int64 {
	fv := reflect.ValueOf(k).Elem().FieldByName(field)
	if fv.CanInt() {
		return fv.Int()
	}
	return int64(fv.Uint())
}

// lastQueuedLen is the payload length of the last segment in snd_queue, or -1 if it is
// empty (stream mode tops that segment up before cutting new ones).
func lastQueuedLen(k *kcp.KCP) int {
	q := reflect.ValueOf(k).Elem().FieldByName("snd_queue")
	if queueLen(q) == 0 {
		return -1
	}
	var last reflect.Value
	if q.Kind() == reflect.Slice {
		last = q.Index(q.Len() - 1)
	} else {
		r := q.Elem()
		elems := r.FieldByName("elements")
		tail := int(r.FieldByName("tail").Int())
		last = elems.Index((tail - 1 + elems.Len()) % elems.Len())
	}
	return last.FieldByName("data").Len()
}
