// Counter-based standard normals: Philox4x32-10 words through the ziggurat. Every normal is a
// pure function of (seed, run, layer, role, index), so fills can start anywhere and run on any
// thread. The AVX2 path computes eight Philox blocks and sixteen ziggurat fast paths at a time;
// it performs the same integer and IEEE operations as the portable path (no FMA contraction),
// so both give the same bits.
#include "MeanFieldKernels.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "dispatch.h"
#include "portable_math.h"
#include "ziggurat_tables.h"

enum { PHILOX_M0 = 0xD2511F53u, PHILOX_M1 = 0xCD9E8D57u };
enum { PHILOX_W0 = 0x9E3779B9u, PHILOX_W1 = 0xBB67AE85u };
#define MAGNITUDE_MASK 0x000fffffffffffffULL
#define SIGN_BIT 0x8000000000000000ULL
/// Bit of counter word 1 that separates the fallback streams from the main one.
#define FALLBACK_FLAG (1u << 23)

typedef struct {
    uint32_t key0, key1;
    uint32_t role, layer, run;
} Stream;

static inline void philox(uint32_t c[4], uint32_t k0, uint32_t k1) {
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += PHILOX_W0;
            k1 += PHILOX_W1;
        }
        uint64_t p0 = (uint64_t)PHILOX_M0 * c[0];
        uint64_t p1 = (uint64_t)PHILOX_M1 * c[2];
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k1;
        c[0] = n0;
        c[1] = (uint32_t)p1;
        c[2] = n2;
        c[3] = (uint32_t)p0;
    }
}

void mf_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]) {
    uint32_t c[4] = {counter[0], counter[1], counter[2], counter[3]};
    philox(c, key[0], key[1]);
    memcpy(out, c, sizeof c);
}

/// The two 64-bit words of block `index` of the main stream (fallback = 0) or of attempt
/// `attempt` of the fallback stream of normal `index`.
static inline void words(const Stream *s, uint64_t index, int fallback, uint32_t attempt,
                         uint64_t out[2]) {
    uint32_t c[4] = {(uint32_t)index,
                     (uint32_t)(index >> 32) | (s->role << 16)
                         | (fallback ? FALLBACK_FLAG | ((attempt & 0xffu) << 24) : 0),
                     s->layer, s->run};
    philox(c, s->key0, s->key1);
    out[0] = (uint64_t)c[0] | ((uint64_t)c[1] << 32);
    out[1] = (uint64_t)c[2] | ((uint64_t)c[3] << 32);
}

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

/// Wedges and tail of normal `index` whose first word missed the rectangles: further words
/// come from the fallback stream of that index (Marsaglia & Tsang 2000; tail: Marsaglia 1964).
/// `prefetched`: the first fallback block (attempt 0) when the caller has computed it.
__attribute__((noinline)) static double slow_normal(const Stream *s, uint64_t first, uint64_t index,
                                                    const uint64_t *prefetched) {
    uint64_t buffer[2];
    int position = 2;
    uint32_t attempt = 0;
    if (prefetched) {
        buffer[0] = prefetched[0];
        buffer[1] = prefetched[1];
        position = 0;
        attempt = 1;
    }
#define NEXT_WORD()                                                        \
    (position == 2 ? (words(s, index, 1, attempt++, buffer), position = 1, buffer[0]) \
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

/// The ziggurat's fast path (about 99% of words), else the slow path.
static inline double normal(const Stream *s, uint64_t bits, uint64_t index) {
    unsigned layer = (unsigned)(bits & 0xff);
    uint64_t magnitude = (bits >> 9) & MAGNITUDE_MASK;
    double x = (double)(int64_t)magnitude * width_of(layer);
    if (__builtin_expect(magnitude < threshold_of(layer), 1)) return with_sign(x, bits);
    return slow_normal(s, bits, index, NULL);
}

/// Normals start ..< start + count, one block at a time.
static void fill_portable(const Stream *s, double *out, int64_t count, uint64_t start,
                          double scale) {
    uint64_t w[2];
    int64_t written = 0;
    uint64_t index = start;
    while (written < count) {
        words(s, index >> 1, 0, 0, w);
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
/// Ten Philox rounds on four blocks whose 32-bit words sit in the low halves of 64-bit lanes:
/// _mm256_mul_epu32 ignores the high halves, so they are masked only when the 64-bit output
/// words are assembled.
#define PHILOX_ROUNDS_AVX2(c0, c1, c2, c3, keys0, keys1, m0, m1)                               \
    for (int round = 0; round < 10; round++) {                                              \
        __m256i p0 = _mm256_mul_epu32(c0, m0), p1 = _mm256_mul_epu32(c2, m1);               \
        c0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), c1), keys0[round]); \
        c2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), c3), keys1[round]); \
        c1 = p1;                                                                            \
        c3 = p0;                                                                            \
    }

typedef struct {
    __m256i keys0[10], keys1[10];
    __m256i m0, m1, low, layer, run;
} PhiloxAVX2;

__attribute__((target("avx2"))) static inline void philox_avx2_setup(const Stream *s, PhiloxAVX2 *p) {
    uint32_t k0 = s->key0, k1 = s->key1;
    for (int round = 0; round < 10; round++) {
        p->keys0[round] = _mm256_set1_epi64x(k0);
        p->keys1[round] = _mm256_set1_epi64x(k1);
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    p->m0 = _mm256_set1_epi64x(PHILOX_M0);
    p->m1 = _mm256_set1_epi64x(PHILOX_M1);
    p->low = _mm256_set1_epi64x(0xffffffffLL);
    p->layer = _mm256_set1_epi64x(s->layer);
    p->run = _mm256_set1_epi64x(s->run);
}

/// A normal whose first word missed the rectangles, to be finished after the fast loop.
typedef struct {
    uint64_t bits, index;
    double *out;
} Pending;

/// The slow path for a batch of rejected normals: their first fallback blocks four at a time
/// through AVX2 (the scalar block would dominate the slow path), then the wedge and tail tests.
__attribute__((target("avx2"))) static void finish_pending(const Stream *s, const PhiloxAVX2 *p,
                                                           const Pending *pending, int count,
                                                           double scale) {
    const __m256i flag = _mm256_set1_epi64x((int64_t)((s->role << 16) | FALLBACK_FLAG));
    for (int start = 0; start < count; start += 4) {
        int n = count - start < 4 ? count - start : 4;
        uint64_t indices[4] = {0, 0, 0, 0};
        for (int k = 0; k < n; k++) indices[k] = pending[start + k].index;
        __m256i index = _mm256_loadu_si256((const __m256i *)indices);
        __m256i c0 = index, c1 = _mm256_or_si256(_mm256_srli_epi64(index, 32), flag);
        __m256i c2 = p->layer, c3 = p->run;
        PHILOX_ROUNDS_AVX2(c0, c1, c2, c3, p->keys0, p->keys1, p->m0, p->m1)
        uint64_t w0[4], w1[4];
        _mm256_storeu_si256((__m256i *)w0, _mm256_or_si256(_mm256_and_si256(c0, p->low),
                                                           _mm256_slli_epi64(c1, 32)));
        _mm256_storeu_si256((__m256i *)w1, _mm256_or_si256(_mm256_and_si256(c2, p->low),
                                                           _mm256_slli_epi64(c3, 32)));
        for (int k = 0; k < n; k++) {
            uint64_t block[2] = {w0[k], w1[k]};
            const Pending *e = &pending[start + k];
            *e->out = scale * slow_normal(s, e->bits, e->index, block);
        }
    }
}

/// Sixteen blocks (32 normals) per step, as four independent sets of four lanes (one set's
/// ten rounds are a 60-cycle dependency chain; four overlap); the rejected normals (about
/// 1.5%) are queued and finished in batches, away from the vector loop.
__attribute__((target("avx2"))) static void fill_blocks_avx2(const Stream *s, double *out,
                                                             uint64_t block, int64_t blocks,
                                                             double scale) {
    enum { SETS = 4, BLOCKS = 4 * SETS, CAPACITY = 512 };
    PhiloxAVX2 p;
    philox_avx2_setup(s, &p);
    const __m256i role = _mm256_set1_epi64x((int64_t)s->role << 16);
    const __m256i magnitudeMask = _mm256_set1_epi64x((int64_t)MAGNITUDE_MASK);
    const __m256i exponent52 = _mm256_set1_epi64x(0x4330000000000000LL);
    const __m256d two52 = _mm256_set1_pd(0x1p52);
    const __m256i sign = _mm256_set1_epi64x((int64_t)SIGN_BIT);
    const __m256d scaleVector = _mm256_set1_pd(scale);
    const __m256i lanes = _mm256_set_epi64x(3, 2, 1, 0);
    Pending pending[CAPACITY];
    int pendingCount = 0;
    // words[2 k + j][lane]: word j of block 4 k + lane.
    uint64_t words[2 * SETS][4] __attribute__((aligned(32)));
    for (; blocks >= BLOCKS; blocks -= BLOCKS, block += BLOCKS, out += 2 * BLOCKS) {
        __m256i c0[SETS], c1[SETS], c2[SETS], c3[SETS];
#pragma clang loop unroll(full)
        for (int k = 0; k < SETS; k++) {
            __m256i index = _mm256_add_epi64(_mm256_set1_epi64x((int64_t)(block + 4 * k)), lanes);
            c0[k] = index;
            c1[k] = _mm256_or_si256(_mm256_srli_epi64(index, 32), role);
            c2[k] = p.layer;
            c3[k] = p.run;
        }
        // Fully unrolled, so that the sets' states live in registers.
#pragma clang loop unroll(full)
        for (int round = 0; round < 10; round++) {
#pragma clang loop unroll(full)
            for (int k = 0; k < SETS; k++) {
                __m256i p0 = _mm256_mul_epu32(c0[k], p.m0), p1 = _mm256_mul_epu32(c2[k], p.m1);
                c0[k] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), c1[k]),
                                         p.keys0[round]);
                c2[k] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), c3[k]),
                                         p.keys1[round]);
                c1[k] = p1;
                c3[k] = p0;
            }
        }
#pragma clang loop unroll(full)
        for (int k = 0; k < SETS; k++) {
            _mm256_store_si256((__m256i *)words[2 * k],
                               _mm256_or_si256(_mm256_and_si256(c0[k], p.low), _mm256_slli_epi64(c1[k], 32)));
            _mm256_store_si256((__m256i *)words[2 * k + 1],
                               _mm256_or_si256(_mm256_and_si256(c2[k], p.low), _mm256_slli_epi64(c3[k], 32)));
        }
        // Layer indices are the low bytes of the words. Gathers are slow on AMD Zen; one
        // 16-byte load of (width, threshold) per lane, regrouped by two shuffles, is not.
        const __m128i *rectangles = (const __m128i *)mf_zig_rectangles;
#pragma clang loop unroll(full)
        for (int k = 0; k < SETS; k++) {
            __m256d x[2];
            int rejected = 0;
#pragma clang loop unroll(full)
            for (int j = 0; j < 2; j++) {
                const uint64_t *w = words[2 * k + j];
                __m256i bits = _mm256_load_si256((const __m256i *)w);
                __m256i even = _mm256_inserti128_si256(
                    _mm256_castsi128_si256(_mm_load_si128(rectangles + (w[0] & 0xff))),
                    _mm_load_si128(rectangles + (w[2] & 0xff)), 1);
                __m256i odd = _mm256_inserti128_si256(
                    _mm256_castsi128_si256(_mm_load_si128(rectangles + (w[1] & 0xff))),
                    _mm_load_si128(rectangles + (w[3] & 0xff)), 1);
                __m256d width = _mm256_castsi256_pd(_mm256_unpacklo_epi64(even, odd));
                __m256i threshold = _mm256_unpackhi_epi64(even, odd);
                __m256i magnitude = _mm256_and_si256(_mm256_srli_epi64(bits, 9), magnitudeMask);
                // magnitude < 2^52 converts exactly through the 2^52 exponent trick.
                __m256d value = _mm256_sub_pd(
                    _mm256_castsi256_pd(_mm256_or_si256(magnitude, exponent52)), two52);
                value = _mm256_mul_pd(value, width);
                value = _mm256_castsi256_pd(_mm256_or_si256(
                    _mm256_castpd_si256(value), _mm256_and_si256(_mm256_slli_epi64(bits, 55), sign)));
                x[j] = _mm256_mul_pd(value, scaleVector);
                int inside = _mm256_movemask_pd(
                    _mm256_castsi256_pd(_mm256_cmpgt_epi64(threshold, magnitude)));
                rejected |= (~inside & 0xf) << (4 * j);
            }
            // Interleave words 0 and 1: normals 2b, 2b + 1 are adjacent.
            double *target = out + 8 * k;
            __m256d lo = _mm256_unpacklo_pd(x[0], x[1]), hi = _mm256_unpackhi_pd(x[0], x[1]);
            _mm256_storeu_pd(target, _mm256_permute2f128_pd(lo, hi, 0x20));
            _mm256_storeu_pd(target + 4, _mm256_permute2f128_pd(lo, hi, 0x31));
            while (__builtin_expect(rejected != 0, 0)) {
                int bit = __builtin_ctz((unsigned)rejected);
                rejected &= rejected - 1;
                int j = bit >> 2, lane = bit & 3;
                uint64_t offset = 8 * (uint64_t)k + 2 * (uint64_t)lane + (uint64_t)j;
                pending[pendingCount++] = (Pending){words[2 * k + j][lane], 2 * block + offset,
                                                    out + offset};
            }
        }
        if (pendingCount > CAPACITY - 2 * BLOCKS) {
            finish_pending(s, &p, pending, pendingCount, scale);
            pendingCount = 0;
        }
    }
    finish_pending(s, &p, pending, pendingCount, scale);
    if (blocks > 0) fill_portable(s, out, 2 * blocks, 2 * block, scale);
}

#endif

static inline Stream make_stream(uint64_t seed, uint32_t run, uint32_t layer, uint32_t role) {
    Stream s = {(uint32_t)seed, (uint32_t)(seed >> 32), role, layer, run};
    return s;
}

void mf_fill_normals_portable(double *out, int64_t count, uint64_t start, double scale,
                              uint64_t seed, uint32_t run, uint32_t layer, uint32_t role) {
    Stream s = make_stream(seed, run, layer, role);
    fill_portable(&s, out, count, start, scale);
}

void mf_fill_normals(double *out, int64_t count, uint64_t start, double scale, uint64_t seed,
                     uint32_t run, uint32_t layer, uint32_t role) {
    Stream s = make_stream(seed, run, layer, role);
#if defined(__x86_64__)
    if (count >= 32 && mf_avx2_available()) {
        // An odd start: one normal on its own, then whole blocks.
        if (start & 1) {
            fill_portable(&s, out, 1, start, scale);
            out++;
            start++;
            count--;
        }
        int64_t blocks = count / 2;
        fill_blocks_avx2(&s, out, start / 2, blocks, scale);
        if (count & 1) fill_portable(&s, out + 2 * blocks, 1, start + 2 * (uint64_t)blocks, scale);
        return;
    }
#endif
    fill_portable(&s, out, count, start, scale);
}

int mf_normals_use_avx2(void) { return mf_avx2_available(); }

double mf_ziggurat_tail_start(void) { return MF_ZIGGURAT_R; }

double mf_portable_exp(double y) { return mf_exp_nonpositive(y); }

double mf_portable_log(double v) { return mf_log_positive(v); }
