package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"runtime"

	"kcpkit/interop/internal/pin"
)

// idPrefix starts every case id: kcpgo-<version>/seed<N>/<endpoint>.
const idPrefix = "kcpgo-" + pin.KCPVersion

// obj is a JSON object that keeps its keys in the order they were added.
type kv struct {
	k string
	v any
}
type obj []kv

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type hexBytes []byte

func (h hexBytes) MarshalJSON() ([]byte, error) { return json.Marshal(hex.EncodeToString(h)) }

type caseTrace struct {
	name, id, comment string
	flags             []string
	conv              uint32
	steps             []obj
	datagramsOut      int
}

func (c *caseTrace) addFlag(f string) {
	for _, have := range c.flags {
		if have == f {
			return
		}
	}
	c.flags = append(c.flags, f)
}

var flagNotes = obj{
	{"ClockWrap", "the uint32 millisecond clock wraps during the case"},
	{"ZeroWindowProbe", "the endpoint sent a WASK window probe (its peer's window was 0)"},
	{"FragmentLimit", "a message needs more fragments than the receiver's rcv_wnd and can never be reassembled, or send() refused a message of more than 255 fragments"},
	{"FecRecovered", "some datagrams are input as FEC-recovered (pkt_type fec)"},
	{"AckNoDelay", "input() is called with ack_nodelay true"},
	{"StreamMode", "the endpoint sends in stream mode"},
	{"FastRetransmit", "the endpoint fast-retransmitted"},
	{"EarlyRetransmit", "the endpoint early-retransmitted (fastack > 0, nothing new to send)"},
	{"TimeoutRetransmit", "the endpoint retransmitted on timeout"},
	{"DeadLink", "a segment reached dead_link transmissions (state 0xFFFFFFFF)"},
	{"BadInput", "some input() calls get malformed datagrams (ret -1, -2 or -3)"},
	{"SessionDriven", "driven like kcp-go's UDPSession: flush every returned interval, flush after write, reads via peeksize"},
	{"UpdateDriven", "driven with update()/check() (kcp-go's deprecated Update/Check)"},
}

var stepFieldNotes = obj{
	{"input.pkt_type", "\"fec\" when the datagram was recovered by FEC (kcp-go IKCP_PACKET_FEC); absent = \"regular\""},
	{"input.ack_nodelay", "the ackNoDelay argument of kcp-go's Input; absent = false"},
	{"flush.ret", "kcp-go's flush(IKCP_FLUSH_FULL) result: the suggested delay (ms) to the next flush"},
	{"t", "the value of kcp-go's currentMs() during the call; every clock reading kcp-go takes inside the call equals it"},
	{"state", "read from kcp-go's control block after the call; rx_rttval is kcp-go's rx_rttvar; nsnd_buf includes acknowledged segments kcp-go keeps until una passes them; xmit is not recorded (kcp-go has no such counter)"},
}

func writeDocument(w io.Writer, cases []*caseTrace, seeds []uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	head := obj{
		{"format", "kcpvec/1"},
		{"kind", "kcp-trace"},
		{"source", sourceText + runtime.Version() + ")"},
		{"notes", obj{{"flags", flagNotes}, {"step_fields", stepFieldNotes},
			{"seeds", fmt.Sprint(seeds)},
			{"reproduce", "cd interop && go run ./cmd/capture-kcpgo -seeds SEED -out x.json.gz (see vectors/PROVENANCE-kcpgo-trace.md)"}}},
	}
	hb, err := json.Marshal(head)
	if err != nil {
		return err
	}
	bw.Write(hb[:len(hb)-1])
	bw.WriteString(",\"cases\":[\n")
	for i, c := range cases {
		flags := c.flags
		if flags == nil {
			flags = []string{}
		}
		co := obj{{"name", c.name}, {"id", c.id}, {"reference", pin.Reference},
			{"comment", c.comment}, {"flags", flags}, {"config", obj{{"conv", c.conv}}}}
		cb, err := json.Marshal(co)
		if err != nil {
			return err
		}
		bw.Write(cb[:len(cb)-1])
		bw.WriteString(",\"steps\":[\n")
		for j, s := range c.steps {
			sb, err := json.Marshal(s)
			if err != nil {
				return err
			}
			bw.Write(sb)
			if j+1 < len(c.steps) {
				bw.WriteString(",\n")
			}
		}
		bw.WriteString("]}")
		if i+1 < len(cases) {
			bw.WriteString(",\n")
		}
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}
