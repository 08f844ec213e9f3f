import Foundation

/// Hosts named by folders: a central syslog server keeps each host's logs in a folder named
/// after it (rsyslog's `/var/log/remote/%HOSTNAME%/auth.log`, syslog-ng's
/// `/var/log/hosts/HOST/…`). Lines that name no host of their own take that folder's name.
///
/// A file is in such a layout when it was found in a subfolder of a folder given to read (a
/// folder that holds only subfolders, see ``LogReader/expand(_:)``), or when the files given
/// lie in two or more sibling folders (`/var/log/remote/*/auth.log` as the shell expands it).
/// A file given on its own, or several files in one folder, take no host from their folder.
public enum FolderHosts {
    /// For each file in a per-host layout, the host its folder names; files not in such a
    /// layout (or whose folder name is not a host name or address) are absent.
    /// `found` maps files found in a host's subfolder of a given folder to that subfolder.
    public static func of(_ files: [String], found: [String: String] = [:]) -> [String: String] {
        var out: [String: String] = [:]
        for (file, folder) in found where isHostName(folder) { out[file] = folder }
        // Sibling folders among the files given: group by the folder above each file's folder.
        // (Each file's folders are taken from its absolute path, so that `./auth.log`, `x/`,
        // `//x` and `a/../b` group as the folders they name.)
        var folders: [String: (parent: String, grandparent: String)] = [:]
        var parentsByGrandparent: [String: Set<String>] = [:]
        for f in files where out[f] == nil && f != "-" && f != LogReader.systemJournal {
            let parent = PathName.parent(PathName.absolute(f))
            guard parent != "/" else { continue }
            let grandparent = PathName.parent(parent)
            folders[f] = (parent, grandparent)
            parentsByGrandparent[grandparent, default: []].insert(parent)
        }
        for f in files where out[f] == nil {
            guard let (parent, grandparent) = folders[f], (parentsByGrandparent[grandparent]?.count ?? 0) >= 2 else { continue }
            let name = PathName.lastComponent(parent)
            if isHostName(name) { out[f] = name }
        }
        return out
    }

    /// True for a DNS name, an IPv4 or IPv6 address (letters, digits, `-`, `_`, `.`, `:`; at
    /// most 253 characters; not `.` or `..`).
    public static func isHostName(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 253, s != ".", s != ".." else { return false }
        return s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
        }
    }
}
