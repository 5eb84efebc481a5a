// SHA-256 (FIPS 180-4), streaming. Written here so the engine needs no crypto library; used to
// verify Hugging Face LFS blobs, whose etag is the sha256 of the file (io/hub_client.cpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rf {

class Sha256 {
public:
    Sha256();                            // uses the CPU's SHA instructions when it has them
    explicit Sha256(bool allow_hardware);  // false: the portable code only (tests compare the two)
    static bool hardware_available();
    void update(const void* data, size_t n);
    std::string hex_digest();  // finalizes: call once, after the last update

private:
    void block(const uint8_t* p);              // portable, one 64-byte block
    void blocks(const uint8_t* p, size_t n);   // n blocks, SHA-NI when m_hw
    bool m_hw = false;
    uint32_t m_h[8];
    uint8_t m_buf[64];
    size_t m_buf_len = 0;
    uint64_t m_total = 0;
};

// sha256 of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

}  // namespace rf
