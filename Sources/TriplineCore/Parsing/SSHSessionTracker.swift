/// What sshd said earlier on one connection, keyed by host and process id (sshd forks one
/// process per connection), so that lines which leave the address out ("Disconnecting: Too
/// many authentication failures for root") can still be tied to it.
///
/// Bounded: when it holds too many connections it forgets them all, which costs at most the
/// address of a few in-flight connections.
struct SSHSessionTracker {
    struct Key: Hashable {
        let host: String?
        let pid: Int
    }

    struct Context {
        var source: String?
        var port: Int?
        /// A failure seen without an address, waiting for the line that names one.
        var pending = false
        var pendingUser: String?
        var pendingInvalid = false
        /// The last line was "maximum authentication attempts exceeded", which OpenSSH follows
        /// with "Disconnecting …: Too many authentication failures" for the same event.
        var lastWasMaxAuth = false
    }

    static let capacity = 16_384
    private var table: [Key: Context] = [:]

    subscript(host: String?, pid: Int?) -> Context {
        get {
            guard let pid else { return Context() }
            return table[Key(host: host, pid: pid)] ?? Context()
        }
        set {
            guard let pid else { return }
            if table.count >= SSHSessionTracker.capacity { table.removeAll(keepingCapacity: true) }
            table[Key(host: host, pid: pid)] = newValue
        }
    }
}
