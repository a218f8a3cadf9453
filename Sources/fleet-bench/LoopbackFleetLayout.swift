/// Where the bench's loopback "hosts" live: one ssh alias per host, each on its own loopback
/// address (so each has its own connection and ControlMaster, as a real fleet's hosts do), and
/// the hosts split evenly over as few sshd processes as sshd allows: one sshd listens on at
/// most 16 sockets (MAX_LISTEN_SOCKS).
struct LoopbackFleetLayout: Equatable {
    static let addressesPerServer = 16

    let hosts: Int

    /// `h001` … (three digits up to 999 hosts, so the names sort in host order).
    var aliases: [String] {
        let width = max(3, String(hosts).count)
        return (0..<hosts).map { index in
            let number = String(index + 1)
            return "h" + String(repeating: "0", count: width - number.count) + number
        }
    }

    /// Host `index` (0-based) listens on 127.0.B.A: 127.0.0.1 … 127.0.0.250, then 127.0.1.1 …
    /// (the whole of 127/8 is loopback on Linux; .0 and .255 are left out).
    static func address(_ index: Int) -> String {
        "127.0.\(index / 250).\(index % 250 + 1)"
    }

    /// The host indexes of each sshd: ⌈hosts / 16⌉ servers with nearly equal shares.
    var servers: [Range<Int>] {
        guard hosts > 0 else { return [] }
        let count = (hosts + Self.addressesPerServer - 1) / Self.addressesPerServer
        return (0..<count).map { server in (server * hosts / count)..<((server + 1) * hosts / count) }
    }
}
