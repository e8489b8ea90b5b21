/// Philox4x64-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011; the
/// generator behind numpy's `Philox`): a counter-based generator. Each 256-bit counter maps
/// to 256 random bits under a 128-bit key, so any entry of any random matrix is produced
/// directly from its coordinates, in any order and on any thread, with the same result.
/// The 64-bit variant needs half the multiplications per random bit of Philox4x32.
public enum Philox4x64 {
    public typealias Words = (UInt64, UInt64, UInt64, UInt64)

    @inlinable @inline(__always)
    public static func block(counter: Words, key: (UInt64, UInt64)) -> Words {
        var c = counter
        var k0 = key.0
        var k1 = key.1
        // Ten rounds; the key is bumped by the Weyl constants between rounds.
        for _ in 0..<9 {
            c = round(c, k0, k1)
            k0 &+= 0x9E37_79B9_7F4A_7C15
            k1 &+= 0xBB67_AE85_84CA_A73B
        }
        return round(c, k0, k1)
    }

    @inlinable @inline(__always)
    static func round(_ c: Words, _ k0: UInt64, _ k1: UInt64) -> Words {
        let product0 = UInt64(0xD2E7_470E_E14C_6C93).multipliedFullWidth(by: c.0)
        let product1 = UInt64(0xCA5A_8263_9512_1157).multipliedFullWidth(by: c.2)
        return (product1.high ^ c.1 ^ k0, product1.low, product0.high ^ c.3 ^ k1, product0.low)
    }
}
