import FleetCore

/// The dashboard's URL paths. A host's name is percent-encoded into its path (every byte but
/// unreserved ASCII), so a name holding `/`, `?`, `#`, quotes or markup is one path segment and
/// never HTML or a second path.
public enum DashboardPaths {
    public static let overview = "/"
    public static let state = "/api/state"
    public static let style = "/style.css"
    public static let script = "/dashboard.js"
    static let hostPrefix = "/host/"
    static let hostAPIPrefix = "/api/host/"
    static let transcriptSuffix = "/transcript"

    /// `/host/NAME`.
    public static func hostPage(_ name: String) -> String { hostPrefix + encode(name) }

    /// `/api/host/NAME`.
    public static func hostState(_ name: String) -> String { hostAPIPrefix + encode(name) }

    /// `/api/host/NAME/transcript`.
    public static func transcript(_ name: String) -> String { hostAPIPrefix + encode(name) + transcriptSuffix }

    /// What a request path names.
    public enum Route: Equatable, Sendable {
        case overview, state, style, script
        /// Browsers ask for `/favicon.ico` on their own; answered with no content rather than
        /// a 404 that shows as an error in the console.
        case favicon
        case hostPage(String)
        case hostState(String)
        case transcript(String)
        case notFound
    }

    public static func route(_ path: String) -> Route {
        switch path {
        case overview, "/index.html": return .overview
        case state: return .state
        case style: return .style
        case script: return .script
        case "/favicon.ico": return .favicon
        default: break
        }
        if path.hasPrefix(hostAPIPrefix) {
            let rest = path.dropFirst(hostAPIPrefix.count)
            if rest.hasSuffix(transcriptSuffix) {
                return decode(rest.dropLast(transcriptSuffix.count)).map(Route.transcript) ?? .notFound
            }
            return decode(rest).map(Route.hostState) ?? .notFound
        }
        if path.hasPrefix(hostPrefix) {
            return decode(path.dropFirst(hostPrefix.count)).map(Route.hostPage) ?? .notFound
        }
        return .notFound
    }

    /// Percent-encodes every byte outside `A-Z a-z 0-9 - . _ ~`.
    public static func encode(_ name: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A path segment decoded (`+` stays a plus in a path); nil when malformed or empty, or
    /// when it holds a raw `/` (a name's slash arrives encoded).
    static func decode(_ segment: Substring) -> String? {
        guard !segment.isEmpty, !segment.contains("/") else { return nil }
        return HTTPRequest.percentDecoded(Substring(String(segment).replacingAll("+", with: "%2B")))
    }
}
