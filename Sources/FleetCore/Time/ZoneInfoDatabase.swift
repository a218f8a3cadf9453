#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The compiled IANA database of the host: `/usr/share/zoneinfo/<Name>` (Debian's `tzdata`),
/// and `/etc/localtime` for the host's own zone.
///
/// A zone name comes from a config file, so it is checked before it becomes a path: only the
/// characters IANA names use (letters, digits, `/`, `_`, `-`, `+`, `.`), no absolute path, no
/// empty, `.` or `..` component and no component starting with `.` or `-`. Without that check
/// `timezone = "../../../etc/shadow"` would make serve open any file it can read.
public struct ZoneInfoDatabase: ZoneSource {
    /// The database directory.
    public var directory: String
    /// The host zone's file.
    public var localTimePath: String
    public var fileSystem: any FileSystem

    /// Zone files are a few kilobytes; anything past this is not one.
    static let sizeLimit = 1 << 20

    public init(
        directory: String = "/usr/share/zoneinfo", localTimePath: String = "/etc/localtime",
        fileSystem: any FileSystem = LocalFileSystem()
    ) {
        self.directory = directory
        self.localTimePath = localTimePath
        self.fileSystem = fileSystem
    }

    /// The host's database.
    public static var system: ZoneInfoDatabase { ZoneInfoDatabase() }

    public func zone(named name: String) throws(TimeZoneError) -> IANAZone {
        guard Self.isValidName(name) else {
            throw TimeZoneError.unknown(
                name, because: "not a zone name: use Area/Location as in \(directory), e.g. 'Europe/Berlin'")
        }
        let path = directory + "/" + name
        let bytes: [UInt8]
        do {
            bytes = try fileSystem.readFile(path, limit: Self.sizeLimit)
        } catch {
            if error.isMissing || error.errno == EISDIR {
                if fileSystem.resolveSymlinks(directory) == nil {
                    throw TimeZoneError.unknown(
                        name, because: "no time zone database at \(directory): install the tzdata package")
                }
                throw TimeZoneError.unknown(name)
            }
            throw TimeZoneError(
                code: .unreadable, zone: name,
                message: "cannot read IANA zone \(PythonRepr.string(name)) at \(path): \(error.reason)")
        }
        return try decode(bytes, name: name, path: path)
    }

    /// `/etc/localtime`; when the host has none, UTC, as the C library assumes.
    public func localZone() throws(TimeZoneError) -> IANAZone {
        let bytes: [UInt8]
        do {
            bytes = try fileSystem.readFile(localTimePath, limit: Self.sizeLimit)
        } catch {
            if error.isMissing {
                return IANAZone(name: "local", fixed: IANAZone.utc.localTimeType(at: UTCInstant(seconds: 0)))
            }
            throw TimeZoneError(
                code: .unreadable, zone: "local",
                message: "cannot read the host time zone \(localTimePath): \(error.reason)")
        }
        return try decode(bytes, name: "local", path: localTimePath)
    }

    /// Whether `name` may name a zone file (see the type's documentation).
    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        let allowed = name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
                return true
            default:
                return false
            }
        }
        guard allowed else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { component in
            !component.isEmpty && !component.hasPrefix(".") && !component.hasPrefix("-")
        }
    }

    private func decode(_ bytes: [UInt8], name: String, path: String) throws(TimeZoneError) -> IANAZone {
        // Not a zone file at all (zone.tab, tzdata.zi, iso3166.tab): no such zone.
        guard bytes.starts(with: "TZif".utf8) else { throw TimeZoneError.unknown(name) }
        do {
            return try IANAZone(name: name, tzif: bytes)
        } catch {
            throw TimeZoneError(
                code: .malformed, zone: name,
                message:
                    "IANA zone \(PythonRepr.string(name)) at \(path) is damaged: \(error.message); reinstall the tzdata package"
            )
        }
    }
}
