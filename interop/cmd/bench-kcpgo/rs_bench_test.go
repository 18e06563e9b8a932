//go:build !kcpgo561

// Reed-Solomon as kcp-go v5.6.72 runs it: klauspost/reedsolomon at the version kcp-go's
// go.mod pins (v1.12.0), created the way fec.go creates it (reedsolomon.New(ds, ps), no
// options), measured the way bench/rs_bench.cpp measures kcpkit's codec so bench/compare
// can pair the results by name:
//
//	BenchmarkRSEncode/10x3/<shard>        Encode: 3 parity shards from 10 data shards
//	BenchmarkRSReconstruct/10x3/<shard>   ReconstructData with data shards 0, 4 and 9 lost
//	                                      (kcp-go's decoder passes missing data shards as
//	                                      zero-length slices with capacity, as here)
//
// Bytes per op = 10 * shard (the data). Run from interop/:
//
//	go test ./cmd/bench-kcpgo -run '^$' -bench 'RS' -benchtime 1s -count 5
package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/reedsolomon"
)

const (
	rsData   = 10
	rsParity = 3
)

var rsShardSizes = []int{1400, 1408}

// rsLost are the data shards the reconstruct benchmark loses (as many as there is parity).
var rsLost = []int{0, 4, 9}

func rsShards(b *testing.B, size int) (reedsolomon.Encoder, [][]byte) {
	codec, err := reedsolomon.New(rsData, rsParity)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, uint64(size)))
	shards := make([][]byte, rsData+rsParity)
	for i := range shards {
		shards[i] = make([]byte, size)
		if i < rsData {
			for j := range shards[i] {
				shards[i][j] = byte(rng.Uint32())
			}
		}
	}
	return codec, shards
}

func BenchmarkRSEncode(b *testing.B) {
	for _, size := range rsShardSizes {
		b.Run(fmt.Sprintf("%dx%d/%d", rsData, rsParity, size), func(b *testing.B) {
			codec, shards := rsShards(b, size)
			b.SetBytes(int64(rsData * size))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := codec.Encode(shards); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRSReconstruct(b *testing.B) {
	for _, size := range rsShardSizes {
		b.Run(fmt.Sprintf("%dx%d/%d", rsData, rsParity, size), func(b *testing.B) {
			codec, shards := rsShards(b, size)
			if err := codec.Encode(shards); err != nil {
				b.Fatal(err)
			}
			want := make([][]byte, len(rsLost))
			for k, i := range rsLost {
				want[k] = bytes.Clone(shards[i])
			}
			work := make([][]byte, len(shards))
			copy(work, shards)
			b.SetBytes(int64(rsData * size))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, l := range rsLost {
					work[l] = work[l][:0]
				}
				if err := codec.ReconstructData(work); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			for k, i := range rsLost {
				if !bytes.Equal(work[i], want[k]) {
					b.Fatalf("shard %d not rebuilt", i)
				}
			}
		})
	}
}
