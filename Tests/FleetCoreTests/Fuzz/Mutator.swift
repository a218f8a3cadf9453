import Foundation
import TestSupport
import XCTest

/// A seeded mutation fuzzer for parsers: repeatable (the seed is printed on failure), bounded in
/// iterations, and run in the normal test suite. A crash or trap fails the whole test run.
struct Mutator {
    private let random: SeededRandom

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    func next() -> UInt64 { random.next() }

    func below(_ n: Int) -> Int { random.below(n) }

    /// One random mutation of `input`: flips, inserts, deletions, splices of interesting tokens,
    /// truncation, duplication, deep nesting.
    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        let interesting: [[UInt8]] = [
            Array("\"".utf8), Array("\\".utf8), Array("\\u".utf8), Array("\\uD800".utf8), Array("[".utf8),
            Array("{".utf8),
            Array("}".utf8), Array("]".utf8), Array("=".utf8), Array("\n".utf8), Array("\r".utf8), Array("1e999".utf8),
            Array("-9223372036854775809".utf8), Array("nan".utf8), Array("inf".utf8), Array("'''".utf8),
            Array("\"\"\"".utf8),
            [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0x00], Array("0x".utf8), Array("1979-05-27T07:32:00Z".utf8),
            Array(",".utf8),
        ]
        for _ in 0..<(1 + below(4)) {
            switch below(8) {
            case 0 where !bytes.isEmpty:
                bytes[below(bytes.count)] ^= UInt8(truncatingIfNeeded: 1 << below(8))
            case 1:
                bytes.insert(UInt8(truncatingIfNeeded: next()), at: below(bytes.count + 1))
            case 2 where !bytes.isEmpty:
                let start = below(bytes.count)
                bytes.removeSubrange(start..<min(bytes.count, start + 1 + below(16)))
            case 3:
                bytes.insert(contentsOf: interesting[below(interesting.count)], at: below(bytes.count + 1))
            case 4 where !bytes.isEmpty:
                bytes = Array(bytes.prefix(below(bytes.count)))
            case 5 where !bytes.isEmpty:
                let start = below(bytes.count)
                let chunk = bytes[start..<min(bytes.count, start + 1 + below(64))]
                bytes.insert(contentsOf: chunk, at: below(bytes.count + 1))
            case 6:
                let open = below(2) == 0 ? UInt8(ascii: "[") : UInt8(ascii: "{")
                bytes.insert(contentsOf: [UInt8](repeating: open, count: 1 + below(5000)), at: below(bytes.count + 1))
            default:
                bytes.append(contentsOf: interesting[below(interesting.count)])
            }
        }
        return bytes
    }

    /// Runs `body` on `iterations` mutations of the seeds; each input must be handled within
    /// `perInputLimit` (a hang is a failure too).
    static func run(
        seeds: [[UInt8]], iterations: Int, seed: UInt64 = 0xF1EE7, perInputLimit: TimeInterval = 1,
        file: StaticString = #filePath, line: UInt = #line, _ body: ([UInt8]) -> Void
    ) {
        var mutator = Mutator(seed: seed)
        for iteration in 0..<iterations {
            let base = seeds[mutator.below(seeds.count)]
            let input = mutator.mutate(base)
            let start = Date()
            body(input)
            let elapsed = Date().timeIntervalSince(start)
            if elapsed > perInputLimit {
                XCTFail(
                    "input \(iteration) (seed \(seed)) took \(elapsed) s: \(String(decoding: input.prefix(200), as: UTF8.self))",
                    file: file, line: line)
                return
            }
        }
    }
}
