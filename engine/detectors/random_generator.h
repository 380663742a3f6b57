#pragma once
// A small, fast, portable pseudo-random generator for reproducible detectors.

#include <QtGlobal>

#include <cstdint>

namespace vigil::engine {

/*!
    Represents xoshiro256** seeded through splitmix64. Unlike std:: distributions, every
    draw here is specified bit for bit, so a detector fitted with a given seed gives the
    same model on every platform and compiler.

    Ensures: uniform() is in [0, 1); below(n) is in [0, n) for n > 0, without modulo bias.
*/
class RandomGenerator
{
public:
    explicit RandomGenerator(quint64 seed, quint64 stream = 0)
    {
        quint64 x = seed ^ (stream * 0xD1B54A32D192ED03ull);
        for (quint64 &s : m_state)
            s = splitMix(x);
    }

    quint64 next()
    {
        const quint64 result = rotl(m_state[1] * 5, 7) * 9;
        const quint64 t = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= t;
        m_state[3] = rotl(m_state[3], 45);
        return result;
    }

    double uniform() { return double(next() >> 11) * 0x1.0p-53; }

    quint64 below(quint64 n)
    {
        // Lemire's nearly divisionless method.
        unsigned __int128 m = (unsigned __int128)next() * n;
        quint64 low = quint64(m);
        if (low < n) {
            const quint64 threshold = (0 - n) % n;
            while (low < threshold) {
                m = (unsigned __int128)next() * n;
                low = quint64(m);
            }
        }
        return quint64(m >> 64);
    }

private:
    static quint64 rotl(quint64 x, int k) { return (x << k) | (x >> (64 - k)); }
    static quint64 splitMix(quint64 &x)
    {
        quint64 z = (x += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    quint64 m_state[4];
};

} // namespace vigil::engine
