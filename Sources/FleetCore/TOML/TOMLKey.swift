/// A table key compared and hashed by its exact UTF-8 bytes.
///
/// TOML keys are distinct whenever their bytes differ, but Swift's `String` equality treats
/// canonically equivalent strings (precomposed "é" versus "e" plus a combining accent) as equal.
/// Looking keys up through this wrapper keeps such keys apart, as the specification requires.
struct TOMLKey: Hashable {
    let string: String

    init(_ string: String) {
        self.string = string
    }

    static func == (lhs: TOMLKey, rhs: TOMLKey) -> Bool {
        lhs.string.utf8.elementsEqual(rhs.string.utf8)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(string.utf8.count)
        for byte in string.utf8 {
            hasher.combine(byte)
        }
    }
}
