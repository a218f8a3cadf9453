/// Reads a compiled zone file (TZif, RFC 8536, versions 1 to 4) into the transitions, local time
/// types and footer rule an ``IANAZone`` needs.
///
/// Version 2+ files carry a 32-bit block for old readers, then a 64-bit block and the POSIX
/// footer; the 64-bit block and footer are used. A version 1 file has only the 32-bit block and
/// no footer. Every count is checked against the bytes present before anything is allocated,
/// so a truncated or damaged file is a ``TZifFormatError``, never a trap or a huge allocation.
/// Files with leap-second records (the `right/` zones) are refused: their timestamps count
/// leap seconds, which UTC instants here do not.
struct TZifParser {
    /// The decoded content of one file.
    struct Content {
        var transitions: [Int64]
        /// For each transition, the index into `types` in force from it on.
        var transitionTypes: [Int]
        var types: [LocalTimeType]
        var footer: PosixTimeZoneRule?
    }

    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    static func parse(_ bytes: [UInt8]) throws(TZifFormatError) -> Content {
        var parser = TZifParser(bytes)
        return try parser.parse()
    }

    private mutating func parse() throws(TZifFormatError) -> Content {
        let first = try header()
        guard first.version >= 2 else {
            return try dataBlock(first, timeSize: 4)
        }
        try skip(first.blockLength(timeSize: 4), what: "the version 1 data block")
        let second = try header()
        var content = try dataBlock(second, timeSize: 8)
        content.footer = try footer()
        return content
    }

    // MARK: Header

    private struct Header {
        var version: Int
        var isUTCCount: Int
        var isStandardCount: Int
        var leapCount: Int
        var timeCount: Int
        var typeCount: Int
        var charCount: Int

        func blockLength(timeSize: Int) -> Int {
            // Each count is below 2^32, so the sum fits an Int on the 64-bit platforms we build for.
            timeCount * timeSize + timeCount + typeCount * 6 + charCount + leapCount * (timeSize + 4)
                + isStandardCount + isUTCCount
        }
    }

    private mutating func header() throws(TZifFormatError) -> Header {
        let start = position
        guard bytes.count - position >= 44 else {
            throw TZifFormatError("truncated header at byte \(start) (44 bytes needed, \(bytes.count - position) left)")
        }
        guard bytes[position..<position + 4].elementsEqual("TZif".utf8) else {
            throw TZifFormatError("no TZif magic at byte \(start)")
        }
        let versionByte = bytes[position + 4]
        let version: Int
        switch versionByte {
        case 0: version = 1
        case UInt8(ascii: "2")...UInt8(ascii: "9"): version = Int(versionByte - UInt8(ascii: "0"))
        default: throw TZifFormatError("unknown TZif version byte 0x\(String(versionByte, radix: 16))")
        }
        position += 20
        var counts: [Int] = []
        for _ in 0..<6 { counts.append(Int(try uint32())) }
        let header = Header(
            version: version, isUTCCount: counts[0], isStandardCount: counts[1], leapCount: counts[2],
            timeCount: counts[3], typeCount: counts[4], charCount: counts[5])
        guard header.typeCount >= 1 else { throw TZifFormatError("no local time types") }
        guard header.typeCount <= 256 else {
            throw TZifFormatError("\(header.typeCount) local time types (at most 256)")
        }
        guard header.charCount >= 1 else { throw TZifFormatError("no abbreviation characters") }
        guard header.isUTCCount == 0 || header.isUTCCount == header.typeCount,
            header.isStandardCount == 0 || header.isStandardCount == header.typeCount
        else {
            throw TZifFormatError(
                "UT/local and standard/wall indicator counts do not match the \(header.typeCount) types")
        }
        guard header.leapCount == 0 else {
            throw TZifFormatError("leap-second records present (a 'right/' zone); use the zone without leap seconds")
        }
        return header
    }

    // MARK: Data block

    private mutating func dataBlock(_ header: Header, timeSize: Int) throws(TZifFormatError) -> Content {
        let length = header.blockLength(timeSize: timeSize)
        guard bytes.count - position >= length else {
            throw TZifFormatError("truncated data block (\(length) bytes needed, \(bytes.count - position) left)")
        }
        var transitions: [Int64] = []
        transitions.reserveCapacity(header.timeCount)
        for _ in 0..<header.timeCount {
            let time = timeSize == 8 ? try int64() : Int64(Int32(bitPattern: try uint32()))
            if let last = transitions.last, time <= last {
                throw TZifFormatError("transition times not in ascending order at transition \(transitions.count)")
            }
            transitions.append(time)
        }
        var transitionTypes: [Int] = []
        transitionTypes.reserveCapacity(header.timeCount)
        for index in 0..<header.timeCount {
            let type = Int(try byte())
            guard type < header.typeCount else {
                throw TZifFormatError("transition \(index) names local time type \(type) of \(header.typeCount)")
            }
            transitionTypes.append(type)
        }
        var records: [(offset: Int32, isDST: Bool, abbreviationIndex: Int)] = []
        for index in 0..<header.typeCount {
            let offset = Int32(bitPattern: try uint32())
            let isDST = try byte()
            let abbreviationIndex = Int(try byte())
            // RFC 8536 §3.2: offsets beyond -25 h..+26 h are not used by any real zone and -2^31 is forbidden.
            guard (-89_999...93_599).contains(offset) else {
                throw TZifFormatError("local time type \(index) has UTC offset \(offset) s (outside -89999...93599)")
            }
            guard isDST <= 1 else {
                throw TZifFormatError("local time type \(index) has daylight-saving flag \(isDST)")
            }
            guard abbreviationIndex < header.charCount else {
                throw TZifFormatError(
                    "local time type \(index) names abbreviation byte \(abbreviationIndex) of \(header.charCount)")
            }
            records.append((offset, isDST == 1, abbreviationIndex))
        }
        let characters = Array(bytes[position..<position + header.charCount])
        position += header.charCount
        guard characters.last == 0 else { throw TZifFormatError("abbreviations not NUL-terminated") }
        let types = records.map { record in
            let tail = characters[record.abbreviationIndex...]
            let end = tail.firstIndex(of: 0) ?? tail.endIndex
            return LocalTimeType(
                utcOffset: record.offset, isDaylightSaving: record.isDST,
                abbreviation: String(decoding: tail[..<end], as: UTF8.self))
        }
        position += header.isStandardCount + header.isUTCCount
        return Content(transitions: transitions, transitionTypes: transitionTypes, types: types, footer: nil)
    }

    /// `\n<POSIX TZ rule>\n`; an empty rule means none.
    private mutating func footer() throws(TZifFormatError) -> PosixTimeZoneRule? {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\n") else {
            throw TZifFormatError("missing footer (file truncated after the data block)")
        }
        let start = position + 1
        guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
            throw TZifFormatError("footer not terminated by a newline")
        }
        if end == start { return nil }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        do {
            return try PosixTimeZoneRule(text)
        } catch {
            throw TZifFormatError("footer rule: \(error.message)")
        }
    }

    // MARK: Bytes

    private mutating func skip(_ count: Int, what: String) throws(TZifFormatError) {
        guard bytes.count - position >= count else {
            throw TZifFormatError("truncated \(what) (\(count) bytes needed, \(bytes.count - position) left)")
        }
        position += count
    }

    private mutating func byte() throws(TZifFormatError) -> UInt8 {
        guard position < bytes.count else { throw TZifFormatError("unexpected end of file") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func uint32() throws(TZifFormatError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 { value = value << 8 | UInt32(try byte()) }
        return value
    }

    private mutating func int64() throws(TZifFormatError) -> Int64 {
        var value: UInt64 = 0
        for _ in 0..<8 { value = value << 8 | UInt64(try byte()) }
        return Int64(bitPattern: value)
    }
}
