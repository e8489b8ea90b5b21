// Counter-based standard normals: ARS4x32-7 blocks through the ziggurat. Every normal is a
// pure function of (seed, run, layer, role, index), so fills can start anywhere and run on any
// thread.
//
// ARS-R (Salmon et al., SC 2011, "Parallel random numbers: as easy as 1, 2, 3"; Random123's
// default R = 7, Crush-resistant from R = 5): R AES rounds of the counter under a Weyl
// sequence of round keys. It replaced Philox4x32-10 here because the AES instructions make its
// blocks about four times cheaper: a whole normal costs 2.4-2.6 ns instead of 3.3-4.1 ns
// (Docs/benchmarks-simulator.md). Three paths give the same bits,
// since AES rounds are integer operations and the ziggurat does the same IEEE operations
// everywhere (no FMA contraction): portable C (a table-driven AES round), AVX2 with AES-NI
// (one block per instruction) and AVX2 with VAES (two blocks per instruction).
#include "MeanFieldKernels.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "aes_tables.h"
#include "dispatch.h"
#include "portable_math.h"
#include "ziggurat_tables.h"

enum { ARS_ROUNDS = 7, MAX_ROUNDS = 10 };
/// The Weyl increments of the two 64-bit halves of the key: 2^64 (sqrt 5 - 1)/2 and
/// 2^64 (sqrt 3 - 1) (Random123).
#define WEYL_LOW 0x9E3779B97F4A7C15ULL
#define WEYL_HIGH 0xBB67AE8584CAA73BULL
#define MAGNITUDE_MASK 0x000fffffffffffffULL
#define SIGN_BIT 0x8000000000000000ULL
/// Bit of counter word 1 that separates the fallback streams from the main one.
#define FALLBACK_FLAG (1u << 23)

typedef struct Stream Stream;
/// One ARS block: the 128-bit counter (low, high halves) to out[0] (words 0, 1) and out[1].
typedef void (*BlockFunction)(const Stream *s, uint64_t low, uint64_t high, uint64_t out[2]);

struct Stream {
    /// Round keys 0...ARS_ROUNDS as (low, high) 64-bit halves.
    uint64_t keys[ARS_ROUNDS + 1][2];
    /// Counter: low half = block | role << 48 (| fallback bits), high half = layer | run << 32.
    uint64_t role, high;
    BlockFunction block;
};

// MARK: - The portable AES round

static inline uint32_t rotate_left(uint32_t x, int shift) {
    return (x << shift) | (x >> (32 - shift));
}

/// The state as four little-endian columns (byte r of column c is row r), as AES-NI holds it.
static inline void to_columns(uint64_t low, uint64_t high, uint32_t c[4]) {
    c[0] = (uint32_t)low;
    c[1] = (uint32_t)(low >> 32);
    c[2] = (uint32_t)high;
    c[3] = (uint32_t)(high >> 32);
}

/// aesenc: MixColumns(ShiftRows(SubBytes(state))) xor key. After ShiftRows, row r of column c
/// comes from column c + r; the table holds MixColumns of a row-0 byte, rotations the others.
static inline void aes_round(uint32_t s[4], const uint32_t k[4]) {
    uint32_t t[4];
    for (int c = 0; c < 4; c++) {
        t[c] = mf_aes_round_table[s[c] & 0xff]
            ^ rotate_left(mf_aes_round_table[(s[(c + 1) & 3] >> 8) & 0xff], 8)
            ^ rotate_left(mf_aes_round_table[(s[(c + 2) & 3] >> 16) & 0xff], 16)
            ^ rotate_left(mf_aes_round_table[s[(c + 3) & 3] >> 24], 24) ^ k[c];
    }
    memcpy(s, t, sizeof t);
}

/// aesenclast: ShiftRows(SubBytes(state)) xor key.
static inline void aes_last_round(uint32_t s[4], const uint32_t k[4]) {
    uint32_t t[4];
    for (int c = 0; c < 4; c++) {
        t[c] = ((uint32_t)mf_aes_sbox[s[c] & 0xff]
                | (uint32_t)mf_aes_sbox[(s[(c + 1) & 3] >> 8) & 0xff] << 8
                | (uint32_t)mf_aes_sbox[(s[(c + 2) & 3] >> 16) & 0xff] << 16
                | (uint32_t)mf_aes_sbox[s[(c + 3) & 3] >> 24] << 24) ^ k[c];
    }
    memcpy(s, t, sizeof t);
}

/// ARS with `rounds` rounds and round keys keys[0...rounds].
static void ars_portable_rounds(const uint64_t keys[][2], int rounds, uint64_t low,
                                uint64_t high, uint64_t out[2]) {
    uint32_t s[4], k[4];
    to_columns(low ^ keys[0][0], high ^ keys[0][1], s);
    for (int round = 1; round < rounds; round++) {
        to_columns(keys[round][0], keys[round][1], k);
        aes_round(s, k);
    }
    to_columns(keys[rounds][0], keys[rounds][1], k);
    aes_last_round(s, k);
    out[0] = (uint64_t)s[0] | (uint64_t)s[1] << 32;
    out[1] = (uint64_t)s[2] | (uint64_t)s[3] << 32;
}

static void block_portable(const Stream *s, uint64_t low, uint64_t high, uint64_t out[2]) {
    ars_portable_rounds(s->keys, ARS_ROUNDS, low, high, out);
}

static void weyl_keys(uint64_t low, uint64_t high, int rounds, uint64_t keys[][2]) {
    for (int round = 0; round <= rounds; round++) {
        keys[round][0] = low;
        keys[round][1] = high;
        low += WEYL_LOW;
        high += WEYL_HIGH;
    }
}

void mf_ars4x32(const uint32_t counter[4], const uint32_t key[4], int rounds, uint32_t out[4]) {
    uint64_t keys[MAX_ROUNDS + 1][2], result[2];
    rounds = rounds < 1 ? 1 : rounds > MAX_ROUNDS ? MAX_ROUNDS : rounds;
    weyl_keys(key[0] | (uint64_t)key[1] << 32, key[2] | (uint64_t)key[3] << 32, rounds, keys);
    ars_portable_rounds(keys, rounds, counter[0] | (uint64_t)counter[1] << 32,
                        counter[2] | (uint64_t)counter[3] << 32, result);
    memcpy(out, result, sizeof result);
}

// MARK: - The ziggurat (Marsaglia & Tsang 2000, numpy's layout)

static inline double width_of(unsigned layer) {
    double w;
    memcpy(&w, &mf_zig_rectangles[2 * layer], sizeof w);
    return w;
}

static inline uint64_t threshold_of(unsigned layer) { return mf_zig_rectangles[2 * layer + 1]; }

static inline double with_sign(double magnitude, uint64_t bits) {
    uint64_t b;
    memcpy(&b, &magnitude, sizeof b);
    b |= (bits << 55) & SIGN_BIT;
    memcpy(&magnitude, &b, sizeof b);
    return magnitude;
}

/// Uniform in [0, 1) with 53 random bits.
static inline double unit(uint64_t word) { return (double)(word >> 11) * 0x1p-53; }

/// The low counter half of block `attempt` of the fallback stream of normal `index`.
static inline uint64_t fallback_counter(const Stream *s, uint64_t index, uint32_t attempt) {
    return index | s->role | (uint64_t)(FALLBACK_FLAG | ((attempt & 0xffu) << 24)) << 32;
}

static inline void fallback_words(const Stream *s, uint64_t index, uint32_t attempt,
                                  uint64_t out[2]) {
    s->block(s, fallback_counter(s, index, attempt), s->high, out);
}

/// Wedges and tail of normal `index` whose first word missed the rectangles: further words
/// come from the fallback stream of that index (Marsaglia & Tsang 2000; tail: Marsaglia 1964).
/// `prefetched`: the first fallback block (attempt 0) when the caller has computed it.
__attribute__((noinline)) static double slow_normal(const Stream *s, uint64_t first,
                                                    uint64_t index, const uint64_t *prefetched) {
    uint64_t buffer[2];
    int position = 2;
    uint32_t attempt = 0;
    if (prefetched) {
        buffer[0] = prefetched[0];
        buffer[1] = prefetched[1];
        position = 0;
        attempt = 1;
    }
#define NEXT_WORD() \
    (position == 2 ? (fallback_words(s, index, attempt++, buffer), position = 1, buffer[0]) \
                   : buffer[position++])
    uint64_t bits = first;
    for (;;) {
        unsigned layer = (unsigned)(bits & 0xff);
        int negative = (int)((bits >> 8) & 1);
        uint64_t magnitude = (bits >> 9) & MAGNITUDE_MASK;
        double x = (double)(int64_t)magnitude * width_of(layer);
        if (negative) x = -x;
        if (magnitude < threshold_of(layer)) return x;
        if (layer == 0) {
            for (;;) {
                // -log1p(-u) = -log(1 - u): 1 - u is exact on the 2^-53 grid, and positive.
                double xx = -mf_log_positive(1 - unit(NEXT_WORD())) / MF_ZIGGURAT_R;
                double yy = -mf_log_positive(1 - unit(NEXT_WORD()));
                if (yy + yy > xx * xx) return negative ? -(MF_ZIGGURAT_R + xx) : MF_ZIGGURAT_R + xx;
            }
        }
        double u = unit(NEXT_WORD());
        if ((mf_zig_density[layer - 1] - mf_zig_density[layer]) * u + mf_zig_density[layer]
            < mf_exp_nonpositive(-0.5 * x * x)) {
            return x;
        }
        bits = NEXT_WORD();
    }
#undef NEXT_WORD
}

/// slow_normal's first steps for a word that missed its rectangle, without branches to
/// mispredict: the wedge test with the first fallback word and, when it rejects (about half
/// the time), the rectangle test of the second. 1 (and the normal in *value) when either
/// accepts, 0 when slow_normal must take over (the base layer's tail, a second miss: about 1
/// in 20 of these normals). The same operations as slow_normal, hence the same value.
static inline int fallback_accepts(uint64_t bits, const uint64_t fallback[2], double *value) {
    unsigned layer = (unsigned)(bits & 0xff);
    uint64_t magnitude = (bits >> 9) & MAGNITUDE_MASK;
    double x = with_sign((double)(int64_t)magnitude * width_of(layer), bits);
    unsigned lower = layer == 0 ? 0 : layer - 1;
    double u = unit(fallback[0]);
    int inside = (mf_zig_density[lower] - mf_zig_density[layer]) * u + mf_zig_density[layer]
        < mf_exp_nonpositive(-0.5 * x * x);
    uint64_t next = fallback[1];
    unsigned nextLayer = (unsigned)(next & 0xff);
    uint64_t nextMagnitude = (next >> 9) & MAGNITUDE_MASK;
    double nextX = with_sign((double)(int64_t)nextMagnitude * width_of(nextLayer), next);
    int nextInside = nextMagnitude < threshold_of(nextLayer);
    *value = inside ? x : nextX;
    return (layer != 0) & (inside | nextInside);
}

/// The ziggurat's fast path (about 99% of words), else the slow path.
static inline double normal(const Stream *s, uint64_t bits, uint64_t index) {
    unsigned layer = (unsigned)(bits & 0xff);
    uint64_t magnitude = (bits >> 9) & MAGNITUDE_MASK;
    double x = (double)(int64_t)magnitude * width_of(layer);
    if (__builtin_expect(magnitude < threshold_of(layer), 1)) return with_sign(x, bits);
    return slow_normal(s, bits, index, NULL);
}

/// Normals start ..< start + count, one block at a time, through s->block.
static void fill_scalar(const Stream *s, double *out, int64_t count, uint64_t start,
                        double scale) {
    uint64_t w[2];
    int64_t written = 0;
    uint64_t index = start;
    while (written < count) {
        s->block(s, (index >> 1) | s->role, s->high, w);
        if ((index & 1) == 0 && count - written >= 2) {
            out[written] = scale * normal(s, w[0], index);
            out[written + 1] = scale * normal(s, w[1], index + 1);
            written += 2;
            index += 2;
        } else {
            out[written++] = scale * normal(s, w[index & 1], index);
            index++;
        }
    }
}

#if defined(__x86_64__)
// MARK: - AVX2 paths

__attribute__((target("aes,sse4.1"))) static void block_aesni(const Stream *s, uint64_t low,
                                                             uint64_t high, uint64_t out[2]) {
    __m128i v = _mm_xor_si128(_mm_set_epi64x((int64_t)high, (int64_t)low),
                              _mm_loadu_si128((const __m128i *)s->keys[0]));
    for (int round = 1; round < ARS_ROUNDS; round++) {
        v = _mm_aesenc_si128(v, _mm_loadu_si128((const __m128i *)s->keys[round]));
    }
    v = _mm_aesenclast_si128(v, _mm_loadu_si128((const __m128i *)s->keys[ARS_ROUNDS]));
    _mm_storeu_si128((__m128i *)out, v);
}

/// Iterations of the vector loop (32 normals each) between two passes of the slow path.
enum { SEGMENT = 32 };

/// The fast path of four consecutive normals from their words (in memory, written well
/// before: the layer indices are byte loads, not moves out of vector registers); returns the
/// lanes that missed the rectangles (bit k: lane k). Gathers are slow on AMD Zen; one 16-byte
/// load of (width, threshold) per lane, regrouped by two shuffles, is not.
__attribute__((target("avx2"), always_inline)) static inline int ziggurat4(const uint64_t *words,
                                                                          double *out,
                                                                          __m256d scale) {
    const __m256i magnitudeMask = _mm256_set1_epi64x((int64_t)MAGNITUDE_MASK);
    const __m256i exponent52 = _mm256_set1_epi64x(0x4330000000000000LL);
    const __m256d two52 = _mm256_set1_pd(0x1p52);
    const __m256i sign = _mm256_set1_epi64x((int64_t)SIGN_BIT);
    const __m128i *rectangles = (const __m128i *)mf_zig_rectangles;
    const uint8_t *layers = (const uint8_t *)words;   // little-endian: byte 8 i is word i's low
    __m256i bits = _mm256_load_si256((const __m256i *)words);
    __m256i even = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_load_si128(rectangles + layers[0])),
        _mm_load_si128(rectangles + layers[16]), 1);
    __m256i odd = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_load_si128(rectangles + layers[8])),
        _mm_load_si128(rectangles + layers[24]), 1);
    __m256d width = _mm256_castsi256_pd(_mm256_unpacklo_epi64(even, odd));
    __m256i threshold = _mm256_unpackhi_epi64(even, odd);
    __m256i magnitude = _mm256_and_si256(_mm256_srli_epi64(bits, 9), magnitudeMask);
    // magnitude < 2^52 converts exactly through the 2^52 exponent trick.
    __m256d value =
        _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(magnitude, exponent52)), two52);
    value = _mm256_mul_pd(value, width);
    value = _mm256_castsi256_pd(_mm256_or_si256(
        _mm256_castpd_si256(value), _mm256_and_si256(_mm256_slli_epi64(bits, 55), sign)));
    _mm256_storeu_pd(out, _mm256_mul_pd(value, scale));
    int inside =
        _mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(threshold, magnitude)));
    return ~inside & 0xf;
}

/// Blocks block ..< block + blocks, in segments of up to SEGMENT x 32 normals: ROUNDS(v, keys)
/// turns SETS 256-bit counters (two blocks each: lanes 0-1 one block, 2-3 the next, so the
/// words come out as four consecutive normals) into ARS output. A segment's words are made
/// first (into L1), then go through the ziggurat's fast path, which only records the normals
/// that missed the rectangles (about 1.5%): one mask per 32 normals. A last pass finishes
/// those. Interleaving the AES batches with the ziggurat left the processor waiting on one or
/// the other; branching on the misses in the vector loop (a branch per four normals, taken 6%
/// of the time at random) made the fill twice as slow. The last blocks go through fill_scalar.
#define DEFINE_FILL(name, features, ROUNDS)                                                  \
    /* The slow path of the normals flagged in masks[0 ..< iterations] (bit j of mask i:     \
       normal 32 i + j from `first`, its word words[32 i + j], its place out[32 i + j]),     \
       their first fallback blocks 2 x SETS at a time. */                                    \
    __attribute__((target(features))) static void name##_finish(                             \
        const Stream *s, const __m256i *keys, const uint64_t *words, const uint32_t *masks,  \
        int iterations, uint64_t first, double *out, double scale) {                         \
        enum { SETS = 8 };                                                                   \
        const __m256i high = _mm256_set1_epi64x((int64_t)s->high);                           \
        /* Two bits per mask without branches (a mask holds 0.5 bits on average; branching   \
           on them mispredicted often), a loop for the rare rest. The unconditional stores   \
           need two spare entries. */                                                        \
        uint32_t offsets[32 * SEGMENT + 2];                                                  \
        int count = 0;                                                                       \
        for (int iteration = 0; iteration < iterations; iteration++) {                       \
            uint32_t mask = masks[iteration], base = 32 * (uint32_t)iteration;               \
            for (int k = 0; k < 2; k++) {                                                    \
                offsets[count] = base + (uint32_t)__builtin_ctz(mask | 0x80000000u);         \
                count += mask != 0;                                                          \
                mask &= mask - 1;                                                            \
            }                                                                                \
            for (; mask != 0; mask &= mask - 1) {                                            \
                offsets[count++] = base + (uint32_t)__builtin_ctz(mask);                     \
            }                                                                                \
        }                                                                                    \
        for (int start = 0; start < count; start += 2 * SETS) {                              \
            __m256i v[SETS];                                                                 \
            _Pragma("clang loop unroll(full)") for (int k = 0; k < SETS; k++) {              \
                int a = start + 2 * k < count ? start + 2 * k : count - 1;                   \
                int b = a + 1 < count ? a + 1 : a;                                           \
                __m256i low = _mm256_set_epi64x(                                             \
                    0, (int64_t)fallback_counter(s, first + offsets[b], 0), 0,               \
                    (int64_t)fallback_counter(s, first + offsets[a], 0));                    \
                v[k] = _mm256_xor_si256(_mm256_blend_epi32(low, high, 0xcc), keys[0]);       \
            }                                                                                \
            ROUNDS(v, keys)                                                                  \
            uint64_t fallback[2 * SETS][2];                                                  \
            _Pragma("clang loop unroll(full)") for (int k = 0; k < SETS; k++) {              \
                _mm256_storeu_si256((__m256i *)fallback[2 * k], v[k]);                       \
            }                                                                                \
            int n = count - start < 2 * SETS ? count - start : 2 * SETS;                     \
            double values[2 * SETS];                                                         \
            int accepted[2 * SETS];                                                          \
            for (int i = 0; i < n; i++) {                                                    \
                accepted[i] =                                                                \
                    fallback_accepts(words[offsets[start + i]], fallback[i], &values[i]);    \
            }                                                                                \
            for (int i = 0; i < n; i++) {                                                    \
                uint32_t offset = offsets[start + i];                                        \
                double value = accepted[i] ? values[i]                                       \
                                           : slow_normal(s, words[offset], first + offset,   \
                                                         fallback[i]);                       \
                out[offset] = scale * value;                                                 \
            }                                                                                \
        }                                                                                    \
    }                                                                                        \
    __attribute__((target(features))) static void name(const Stream *s, double *out,         \
                                                       uint64_t block, int64_t blocks,       \
                                                       double scale) {                       \
        enum { SETS = 8 };                                                                   \
        __m256i keys[ARS_ROUNDS + 1];                                                        \
        for (int round = 0; round <= ARS_ROUNDS; round++) {                                  \
            keys[round] = _mm256_broadcastsi128_si256(                                       \
                _mm_loadu_si128((const __m128i *)s->keys[round]));                           \
        }                                                                                    \
        const __m256d scaleVector = _mm256_set1_pd(scale);                                   \
        const __m256i high = _mm256_set1_epi64x((int64_t)s->high);                           \
        __m256i counter = _mm256_blend_epi32(                                                \
            _mm256_set_epi64x(0, (int64_t)(block + 1), 0, (int64_t)block), high, 0xcc);      \
        counter = _mm256_or_si256(counter, _mm256_set_epi64x(0, (int64_t)s->role, 0,         \
                                                             (int64_t)s->role));             \
        const __m256i two = _mm256_set_epi64x(0, 2, 0, 2);                                   \
        __m256i words[8 * SEGMENT];                                                          \
        uint32_t masks[SEGMENT];                                                             \
        const uint64_t *segmentWords = (const uint64_t *)words;                              \
        while (blocks >= 2 * SETS) {                                                         \
            int64_t whole = blocks / (2 * SETS);                                             \
            int iterations = (int)(whole < SEGMENT ? whole : SEGMENT);                       \
            for (int iteration = 0; iteration < iterations; iteration++) {                   \
                __m256i v[SETS];                                                             \
                _Pragma("clang loop unroll(full)") for (int k = 0; k < SETS; k++) {          \
                    v[k] = _mm256_xor_si256(counter, keys[0]);                               \
                    counter = _mm256_add_epi64(counter, two);                                \
                }                                                                            \
                ROUNDS(v, keys)                                                              \
                _Pragma("clang loop unroll(full)") for (int k = 0; k < SETS; k++) {          \
                    words[SETS * iteration + k] = v[k];                                      \
                }                                                                            \
            }                                                                                \
            for (int iteration = 0; iteration < iterations; iteration++) {                   \
                uint32_t mask = 0;                                                           \
                _Pragma("clang loop unroll(full)") for (int k = 0; k < SETS; k++) {          \
                    mask |= (uint32_t)ziggurat4(segmentWords + 32 * iteration + 4 * k,       \
                                                out + 32 * iteration + 4 * k, scaleVector)   \
                        << (4 * k);                                                          \
                }                                                                            \
                masks[iteration] = mask;                                                     \
            }                                                                                \
            name##_finish(s, keys, segmentWords, masks, iterations, 2 * block, out, scale);  \
            blocks -= 2 * SETS * iterations;                                                 \
            block += 2 * SETS * (uint64_t)iterations;                                        \
            out += 32 * iterations;                                                          \
        }                                                                                    \
        if (blocks > 0) fill_scalar(s, out, 2 * blocks, 2 * block, scale);                   \
    }

/// All rounds of every set in turn, so that independent sets fill the AES latency.
#define VAES_ROUNDS(v, keys)                                                                 \
    _Pragma("clang loop unroll(full)") for (int round = 1; round < ARS_ROUNDS; round++) {   \
        _Pragma("clang loop unroll(full)") for (int k = 0; k < SETS; k++) {                 \
            v[k] = _mm256_aesenc_epi128(v[k], keys[round]);                                  \
        }                                                                                    \
    }                                                                                        \
    _Pragma("clang loop unroll(full)") for (int k = 0; k < SETS; k++) {                     \
        v[k] = _mm256_aesenclast_epi128(v[k], keys[ARS_ROUNDS]);                             \
    }

/// The same rounds on the two 128-bit halves of each set.
#define AESNI_ROUNDS(v, keys)                                                                \
    {                                                                                        \
        __m128i lo[SETS], hi[SETS];                                                          \
        _Pragma("clang loop unroll(full)") for (int k = 0; k < SETS; k++) {                 \
            lo[k] = _mm256_castsi256_si128(v[k]);                                            \
            hi[k] = _mm256_extracti128_si256(v[k], 1);                                       \
        }                                                                                    \
        _Pragma("clang loop unroll(full)") for (int round = 1; round <= ARS_ROUNDS; round++) { \
            __m128i key = _mm256_castsi256_si128(keys[round]);                               \
            _Pragma("clang loop unroll(full)") for (int k = 0; k < SETS; k++) {             \
                if (round < ARS_ROUNDS) {                                                    \
                    lo[k] = _mm_aesenc_si128(lo[k], key);                                    \
                    hi[k] = _mm_aesenc_si128(hi[k], key);                                    \
                } else {                                                                     \
                    lo[k] = _mm_aesenclast_si128(lo[k], key);                                \
                    hi[k] = _mm_aesenclast_si128(hi[k], key);                                \
                }                                                                            \
            }                                                                                \
        }                                                                                    \
        _Pragma("clang loop unroll(full)") for (int k = 0; k < SETS; k++) {                 \
            v[k] = _mm256_inserti128_si256(_mm256_castsi128_si256(lo[k]), hi[k], 1);         \
        }                                                                                    \
    }

DEFINE_FILL(fill_blocks_vaes, "avx2,aes,vaes", VAES_ROUNDS)
DEFINE_FILL(fill_blocks_aesni, "avx2,aes", AESNI_ROUNDS)

int mf_ars4x32_hardware(const uint32_t counter[4], const uint32_t key[4], int rounds,
                        uint32_t out[4]) {
    if (mf_normal_path() == MF_NORMALS_PORTABLE || rounds != ARS_ROUNDS) return 0;
    Stream s;
    weyl_keys(key[0] | (uint64_t)key[1] << 32, key[2] | (uint64_t)key[3] << 32, ARS_ROUNDS,
              s.keys);
    uint64_t result[2];
    block_aesni(&s, counter[0] | (uint64_t)counter[1] << 32,
                counter[2] | (uint64_t)counter[3] << 32, result);
    memcpy(out, result, sizeof result);
    return 1;
}
#else
int mf_ars4x32_hardware(const uint32_t counter[4], const uint32_t key[4], int rounds,
                        uint32_t out[4]) {
    (void)counter, (void)key, (void)rounds, (void)out;
    return 0;
}
#endif

// MARK: - Entry points

static inline Stream make_stream(uint64_t seed, uint32_t run, uint32_t layer, uint32_t role,
                                 int path) {
    Stream s;
    weyl_keys(seed, 0, ARS_ROUNDS, s.keys);
    s.role = (uint64_t)role << 48;
    s.high = layer | (uint64_t)run << 32;
    s.block = block_portable;
#if defined(__x86_64__)
    if (path != MF_NORMALS_PORTABLE) s.block = block_aesni;
#else
    (void)path;
#endif
    return s;
}

void mf_fill_normals_portable(double *out, int64_t count, uint64_t start, double scale,
                              uint64_t seed, uint32_t run, uint32_t layer, uint32_t role) {
    Stream s = make_stream(seed, run, layer, role, MF_NORMALS_PORTABLE);
    fill_scalar(&s, out, count, start, scale);
}

void mf_fill_normals(double *out, int64_t count, uint64_t start, double scale, uint64_t seed,
                     uint32_t run, uint32_t layer, uint32_t role) {
    int path = mf_normal_path();
    Stream s = make_stream(seed, run, layer, role, path);
#if defined(__x86_64__)
    if (count >= 64 && path != MF_NORMALS_PORTABLE) {
        // An odd start: one normal on its own, then whole blocks.
        if (start & 1) {
            fill_scalar(&s, out, 1, start, scale);
            out++;
            start++;
            count--;
        }
        int64_t blocks = count / 2;
        if (path == MF_NORMALS_VAES) {
            fill_blocks_vaes(&s, out, start / 2, blocks, scale);
        } else {
            fill_blocks_aesni(&s, out, start / 2, blocks, scale);
        }
        if (count & 1) fill_scalar(&s, out + 2 * blocks, 1, start + 2 * (uint64_t)blocks, scale);
        return;
    }
#endif
    fill_scalar(&s, out, count, start, scale);
}

int mf_normals_path(void) { return mf_normal_path(); }

double mf_ziggurat_tail_start(void) { return MF_ZIGGURAT_R; }

double mf_portable_exp(double y) { return mf_exp_nonpositive(y); }

double mf_portable_log(double v) { return mf_log_positive(v); }
