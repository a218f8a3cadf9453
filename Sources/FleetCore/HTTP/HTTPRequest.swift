/// The request line of an HTTP/1.x request and its `Host`: all the pages, `/api/state` and
/// `/metrics` need (the server checks the host, ``HTTPHostCheck``, before any route runs).
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The path without its query string.
    public var path: String
    /// What follows `?` in the target, undecoded ("" without one).
    public var query: String
    /// The `Host` header's value, without surrounding blanks; nil when the request has none.
    public var host: String?

    public init(method: String, path: String, query: String = "", host: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.host = host
    }

    /// Parses the head of a request (`GET /api/state?x=1 HTTP/1.1\r\nHost: ...`), or nil when the
    /// first line is not `METHOD SP TARGET SP HTTP/x.y` or the head names two hosts (which one a
    /// proxy would route by is anyone's guess, so neither is trusted).
    public static func parse(head: [UInt8]) -> HTTPRequest? {
        guard let end = head.firstIndex(of: UInt8(ascii: "\r")) ?? head.firstIndex(of: UInt8(ascii: "\n")) else {
            return nil
        }
        let parts = head[..<end].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty,
            parts[0].allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }),
            parts[1].first == UInt8(ascii: "/"), parts[2].starts(with: Array("HTTP/".utf8))
        else { return nil }
        let target = String(decoding: parts[1], as: UTF8.self)
        let pieces = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard let hosts = headerValues("host", in: head[end..<headerEnd(head)]), hosts.count <= 1 else { return nil }
        return HTTPRequest(
            method: String(decoding: parts[0], as: UTF8.self), path: String(pieces[0]),
            query: pieces.count > 1 ? String(pieces[1]) : "", host: hosts.first)
    }

    /// Where the header lines end: at the first blank line (what follows is a body, never read).
    private static func headerEnd(_ head: [UInt8]) -> Int {
        var index = 0
        while index + 1 < head.count {
            if head[index] == UInt8(ascii: "\n")
                && (head[index + 1] == UInt8(ascii: "\n")
                    || (head[index + 1] == UInt8(ascii: "\r") && index + 2 < head.count
                        && head[index + 2] == UInt8(ascii: "\n")))
            {
                return index
            }
            index += 1
        }
        return head.count
    }

    /// The values of the header `name` (lower case) in the lines after the request line, blanks
    /// trimmed; nil when a header line has no colon.
    private static func headerValues(_ name: String, in lines: ArraySlice<UInt8>) -> [String]? {
        var values: [String] = []
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        for line in lines.split(whereSeparator: { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            let field = line[..<colon].map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
            guard field.elementsEqual(name.utf8) else { continue }
            let value = line[(colon + 1)...].drop(while: isBlank).reversed().drop(while: isBlank).reversed()
            values.append(String(decoding: value, as: UTF8.self))
        }
        return values
    }

    /// The first value of `name` in the query string, percent- and `+`-decoded; nil when absent
    /// or not valid UTF-8 after decoding.
    public func queryValue(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard Self.percentDecoded(keyValue[0]) == name else { continue }
            return keyValue.count > 1 ? Self.percentDecoded(keyValue[1]) : ""
        }
        return nil
    }

    /// `text` with `%XX` escapes and `+` (a space) decoded; nil when the bytes are not UTF-8 or
    /// an escape is malformed.
    public static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hex), let low = iterator.next().flatMap(hex) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
