/// Which `Host` header values a server answers: the defense against DNS rebinding.
///
/// A page on another origin (`http://evil.example:8080/`) whose name the attacker then points at
/// 127.0.0.1 makes the operator's browser send its requests to our server, same-origin as far as
/// the browser knows, so it may read the answers: `/api/state` with every host's round log.
/// What gives it away is the `Host` header, which names the attacker's name. So a server answers
/// only hosts it can vouch for:
/// - bound to a loopback address: `127.0.0.1`, `localhost`, `[::1]` and the bound address;
/// - bound to another address: that address; bound to `0.0.0.0`: any IP literal (a literal
///   never resolves through anyone's DNS, so it cannot be rebound);
/// - with or without a port, but a port given must be the bound one;
/// - plus the operator's allow list (`--http-allowed-host NAME[:PORT]`): the name an `ssh -L`
///   tunnel's other port or a reverse proxy puts in `Host`. An entry without a port allows any.
///
/// A request without `Host` passes: browsers always send one, and whatever does not is a
/// program that could connect to the port directly anyway.
public struct HTTPHostCheck: Sendable, Equatable {
    /// One allow-list entry: a host name or IP literal (lower case), and the port if one was given.
    public struct Entry: Sendable, Equatable, CustomStringConvertible {
        public var name: String
        public var port: Int?

        public var description: String { port.map { "\(name):\($0)" } ?? name }

        /// `NAME`, `NAME:PORT`, `[IPV6]` or `[IPV6]:PORT`; nil for anything else (an empty name,
        /// a bad port, characters no host name has).
        public init?(_ text: String) {
            guard let parts = HTTPHostCheck.split(text), parts.port != -1 else { return nil }
            name = parts.name
            port = parts.port
        }
    }

    public var boundAddress: String
    public var port: Int
    public var allowed: [Entry]

    public init(boundAddress: String, port: Int, allowed: [Entry] = []) {
        self.boundAddress = boundAddress
        self.port = port
        self.allowed = allowed
    }

    /// Whether a request with this `Host` value may be answered.
    public func permits(_ host: String?) -> Bool {
        guard let host else { return true }
        guard let parts = Self.split(host), parts.port != -1 else { return false }
        let (name, headerPort) = parts
        if allowed.contains(where: { $0.name == name && ($0.port == nil || $0.port == headerPort) }) { return true }
        guard headerPort == nil || headerPort == port else { return false }
        if boundAddress == "0.0.0.0" { return Self.isIPLiteral(name) || name == "localhost" }
        if Self.isLoopback(boundAddress) {
            return name == "127.0.0.1" || name == "localhost" || name == "[::1]" || name == boundAddress
        }
        return name == boundAddress
    }

    /// The names a browser may use without an allow list, for the 421 answer's hint.
    public var defaultNames: String {
        if boundAddress == "0.0.0.0" { return "an IP address or localhost" }
        if Self.isLoopback(boundAddress) {
            return Array(Set(["127.0.0.1", boundAddress])).sorted().joined(separator: ", ") + ", localhost or [::1]"
        }
        return boundAddress
    }

    /// Whether `address` is in 127.0.0.0/8.
    public static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.")
    }

    /// The lower-cased name and the port of `NAME[:PORT]` (port nil when absent, -1 when not a
    /// number in 1...65535); nil when the name is empty or holds a byte no host name or IP literal
    /// has. Works on bytes: a header is not to be trusted to be UTF-8.
    static func split(_ text: String) -> (name: String, port: Int?)? {
        let bytes = Array(text.utf8).map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        var name = bytes[...]
        var portText: ArraySlice<UInt8>?
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            name = bytes[...close]
            let inner = bytes[1..<close]
            guard !inner.isEmpty,
                inner.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
            else { return nil }
            let after = bytes[(close + 1)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":") else { return nil }
                portText = after.dropFirst()
            }
        } else {
            if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
                name = bytes[..<colon]
                portText = bytes[(colon + 1)...]
            }
            guard !name.isEmpty,
                name.allSatisfy({ isHostByte($0) }), name.first != UInt8(ascii: "."), name.first != UInt8(ascii: "-")
            else { return nil }
        }
        var port: Int?
        if let portText {
            if let number = Int(String(decoding: portText, as: UTF8.self)), (1...65535).contains(number),
                portText.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            {
                port = number
            } else {
                port = -1
            }
        }
        return (String(decoding: name, as: UTF8.self), port)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    /// A dotted IPv4 address of four decimal octets, or a bracketed IPv6 literal.
    static func isIPLiteral(_ name: String) -> Bool {
        if name.hasPrefix("[") { return true }  // `split` admitted only hex digits, colons and dots inside
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                (1...3).contains(part.utf8.count) && part.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
                    && (Int(part) ?? 256) <= 255
            }
    }
}
