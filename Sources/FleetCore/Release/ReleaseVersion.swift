/// A release version `X.Y.Z`, optionally `-PRE` (`0.4.0-rc.1`) and `+BUILD`, ordered as semver
/// orders them: numerically by X, Y, Z; a pre-release before its release; pre-release
/// identifiers numerically when both are numbers, numbers before words, words by ASCII, a
/// shorter list first. `+BUILD` does not affect precedence (ties are broken by the text, so the
/// order is total and agrees with `==`).
public struct ReleaseVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public let patch: Int
    /// The dot-separated pre-release identifiers; empty for a release.
    public let preRelease: [Substring]
    /// The text as listed.
    public let text: String

    public init?(_ text: String) {
        guard !text.isEmpty, text.count <= 64 else { return nil }
        var rest = Substring(text)
        var build: Substring?
        if let plus = rest.firstIndex(of: "+") {
            build = rest[rest.index(after: plus)...]
            rest = rest[..<plus]
        }
        var pre: Substring?
        if let dash = rest.firstIndex(of: "-") {
            pre = rest[rest.index(after: dash)...]
            rest = rest[..<dash]
        }
        let core = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3 else { return nil }
        var numbers: [Int] = []
        for part in core {
            guard !part.isEmpty, part.count <= 9, part.allSatisfy(\.isASCIIDigit), part == "0" || part.first != "0",
                let value = Int(part)
            else { return nil }
            numbers.append(value)
        }
        let identifiers = pre.map { $0.split(separator: ".", omittingEmptySubsequences: false) } ?? []
        let buildIdentifiers = build.map { $0.split(separator: ".", omittingEmptySubsequences: false) } ?? []
        guard identifiers.allSatisfy(Self.isIdentifier), buildIdentifiers.allSatisfy(Self.isIdentifier) else {
            return nil
        }
        major = numbers[0]
        minor = numbers[1]
        patch = numbers[2]
        preRelease = identifiers
        self.text = text
    }

    public var isPreRelease: Bool { !preRelease.isEmpty }
    public var description: String { text }

    public static func == (lhs: ReleaseVersion, rhs: ReleaseVersion) -> Bool { lhs.text == rhs.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    public static func < (lhs: ReleaseVersion, rhs: ReleaseVersion) -> Bool {
        if (lhs.major, lhs.minor, lhs.patch) != (rhs.major, rhs.minor, rhs.patch) {
            return (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
        }
        if lhs.isPreRelease != rhs.isPreRelease { return lhs.isPreRelease }
        for (left, right) in zip(lhs.preRelease, rhs.preRelease) where left != right {
            switch (Self.number(left), Self.number(right)) {
            case (let l?, let r?): return l < r
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return left < right
            }
        }
        if lhs.preRelease.count != rhs.preRelease.count { return lhs.preRelease.count < rhs.preRelease.count }
        return lhs.text < rhs.text
    }

    private static func number(_ part: Substring) -> Int? {
        part.allSatisfy(\.isASCIIDigit) ? Int(part) : nil
    }

    private static func isIdentifier(_ part: Substring) -> Bool {
        !part.isEmpty
            && part.unicodeScalars.allSatisfy { scalar in
                (scalar >= "0" && scalar <= "9") || (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
                    || scalar == "-"
            }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { self >= "0" && self <= "9" }
}
