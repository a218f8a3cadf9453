import FleetCore

/// `fleetctl watch --shard K/N`: which hosts this process polls, so N fleetctl processes (on N
/// machines) cover a fleet between them, each host exactly once.
///
/// A host belongs to shard `FNV-1a-64(name) mod N` (K counts from 1). The hash depends only on
/// the host's name: adding or removing other hosts moves no host between shards, and every
/// process computes the same split from the same inventory without talking to the others.
public struct WatchShard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based.
    public var index: Int
    public var count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// `K/N` with 1 ≤ K ≤ N; nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count <= 1 << 16 else {
            return nil
        }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    public func contains(_ host: String) -> Bool {
        Int(Self.hash(host) % UInt64(count)) == index - 1
    }

    /// 64-bit FNV-1a of the UTF-8 bytes: stable across runs, machines and Swift versions
    /// (unlike `Hasher`, which is seeded per process).
    public static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
