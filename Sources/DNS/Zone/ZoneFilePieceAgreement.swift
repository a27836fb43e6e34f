import Findings

/// Whether a zone file reads the same whole and cut into parallel pieces (`ZoneFileSplitter`), for the
/// `zone-pieces` fuzz target: the splitter runs only on files of 8 MiB and more, so here the size
/// threshold is set to 0 and the pieces made as small as asked, and any file becomes a test of where it
/// may be cut. The two reads must both refuse the file, or give the same records (owner, type, class,
/// TTL, record data, file and line) in the same order.
///
/// One difference is known and left out by the caller: before any `$TTL`, a record without a TTL takes
/// the last TTL stated by a record (RFC 1035 §5.1), which carries over only within a piece (see
/// docs/limitations.md); the fuzz target puts a `$TTL` first.
public enum ZoneFilePieceAgreement {
    public enum Outcome: Equatable, Sendable {
        case agree
        /// What differs, for the crash report.
        case differ(String)
    }

    public static func compare(file: String, origin: String, pieceSize: Int) -> Outcome {
        let name = DomainName(text: origin) ?? .root
        let whole = Result { () throws(InputError) in
            try ZoneFile.read(path: file, origin: name, allowInclude: false, parallelThreshold: Int.max)
        }
        let pieces = Result { () throws(InputError) in
            try ZoneFile.read(
                path: file, origin: name, allowInclude: false, pieceSize: pieceSize, parallelThreshold: 0)
        }
        switch (whole, pieces) {
        case (.failure, .failure): return .agree
        case (.success, .failure(let error)): return .differ("only the read in pieces refuses the file: \(error)")
        case (.failure(let error), .success): return .differ("only the whole read refuses the file: \(error)")
        case (.success(let a), .success(let b)):
            let left = records(a.store)
            let right = records(b.store)
            guard left != right else { return .agree }
            let index =
                zip(left, right).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(left.count, right.count)
            let shown = { (list: [String]) in index < list.count ? list[index] : "nothing" }
            return .differ(
                "\(left.count) records whole, \(right.count) in pieces; record \(index): whole \(shown(left)), "
                    + "pieces \(shown(right))")
        }
    }

    private static func records(_ store: RecordStore) -> [String] {
        store.rows.map { row in
            "\(store.owner(row).text) \(row.type) \(row.recordClass) \(row.ttl) \(Array(store.rdata(row))) "
                + "\(store.file(row)):\(row.line)"
        }
    }
}
