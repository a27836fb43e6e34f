import CLDNS
import Findings
import Foundation

/// Reads an RFC 1035 master file with libldns (`$ORIGIN`, `$TTL`, relative names, `@`, blank owners,
/// every type libldns knows) into canonical Swift records, freeing each libldns record at once so
/// memory grows with the zone's bytes, not with libldns' per-record overhead.
///
/// `$INCLUDE` makes a parser open another file named by the zone, so it is refused unless the user
/// allows it: an untrusted zone must not make the tool read `/etc/shadow` into an error message.
struct ZoneFile {
    var store = RecordStore()
    /// The first `$ORIGIN` the file set, if any (for `exposure scan`).
    var declaredOrigin: DomainName?
    /// Files read through `$INCLUDE`.
    var includedFiles: [String] = []
    /// What was read differently from how it is written (a TTL above 2^31 − 1 read as 0).
    var warnings: [String] = []
    /// The arguments of the last `$ORIGIN` and `$TTL` read, as written (for a piece: those it was
    /// started with until its own), to check the next piece was started with them.
    var directivesAtEnd = Directives()

    struct Directives: Equatable {
        var origin: String?
        var ttl: String?
    }

    /// The longest record text libldns reads whole.
    static let longestRecordText = 65535

    /// Include depth beyond which a chain of `$INCLUDE`s is taken for a loop.
    static let maximumIncludeDepth = 8

    /// Files at least this large are cut into pieces that parse in parallel (see ZoneFileSplitter).
    static let parallelThreshold = 8 << 20

    /// Whether records in the common forms skip libldns (see CommonRecordEncoder); off only to compare
    /// the two readings.
    private var encodesCommonRecords = true

    static func read(
        path: String, origin: DomainName, allowInclude: Bool, pieceSize: Int = 4 << 20,
        parallelThreshold: Int = parallelThreshold, encodeCommonRecords: Bool = true
    ) throws(InputError) -> ZoneFile {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if size >= parallelThreshold {
            // The quick cuts first; a read whose cuts do not check out (or that fails: the failure may
            // come of a cut) is done again with the lexer's cuts, which report the true error.
            if let pieces = ZoneFileSplitter.quickPieces(of: path, pieceSize: pieceSize) {
                if let zone = try? readPieces(
                    path: path, pieces: pieces, origin: origin, encode: encodeCommonRecords, checkCuts: true)
                {
                    return zone
                }
            }
            if let pieces = ZoneFileSplitter.pieces(of: path, pieceSize: pieceSize), pieces.count > 1 {
                if let zone = try readPieces(
                    path: path, pieces: pieces, origin: origin, encode: encodeCommonRecords, checkCuts: false)
                {
                    return zone
                }
            }
        }
        var zone = ZoneFile()
        zone.encodesCommonRecords = encodeCommonRecords
        var defaultTTL: UInt32 = 3600
        try zone.readFile(path: path, origin: origin, defaultTTL: &defaultTTL, allowInclude: allowInclude, depth: 0)
        zone.store.finishReading()
        return zone
    }

    /// Parses the pieces on all cores, each from its own memory copy, and joins them in file order as
    /// they finish, so at most a few pieces' records wait beside the joined store. With `checkCuts`
    /// (cuts that are guesses, `ZoneFileSplitter.quickPieces`), nil when a piece was not started with
    /// the `$ORIGIN` and `$TTL` the one before it left.
    static func readPieces(
        path: String, pieces: [ZoneFileSplitter.Piece], origin: DomainName, encode: Bool, checkCuts: Bool
    ) throws(InputError) -> ZoneFile? {
        final class Joiner: @unchecked Sendable {
            let lock = NSLock()
            var zone = ZoneFile()
            var waiting: [Int: Result<ZoneFile, InputError>] = [:]
            var next = 0
            var failure: InputError?
            var cutsHold = true
            var directivesAtEnd = ZoneFile.Directives()
        }
        let joiner = Joiner()
        joiner.zone.store.fileID(path)
        DispatchQueue.concurrentPerform(iterations: pieces.count) { index in
            let result = Result { () throws(InputError) -> ZoneFile in
                try readPiece(path: path, piece: pieces[index], origin: origin, encode: encode)
            }
            joiner.lock.lock()
            defer { joiner.lock.unlock() }
            joiner.waiting[index] = result
            while let ready = joiner.waiting.removeValue(forKey: joiner.next) {
                let number = joiner.next
                joiner.next += 1
                guard joiner.failure == nil, joiner.cutsHold else { continue }
                switch ready {
                case .success(let piece):
                    if checkCuts, number > 0,
                        joiner.directivesAtEnd
                            != ZoneFile.Directives(origin: pieces[number].origin, ttl: pieces[number].ttl)
                    {
                        joiner.cutsHold = false
                        continue
                    }
                    joiner.directivesAtEnd = piece.directivesAtEnd
                    if joiner.zone.declaredOrigin == nil, joiner.next == 1 {
                        joiner.zone.declaredOrigin = piece.declaredOrigin
                    }
                    if joiner.next == 1 {
                        // Pieces are of about one size: room for every piece's owners as many as the first
                        // has, so the owner table is not grown (and rehashed) piece after piece.
                        joiner.zone.store.reserveOwners(min(piece.store.owners.count * pieces.count + 1024, 1 << 22))
                    }
                    joiner.zone.store.append(contentsOf: piece.store)
                    joiner.zone.warnings += piece.warnings
                case .failure(let error): joiner.failure = error
                }
            }
        }
        if let failure = joiner.failure { throw failure }
        guard joiner.cutsHold else { return nil }
        joiner.zone.store.finishReading()
        return joiner.zone
    }

    private static func readPiece(path: String, piece: ZoneFileSplitter.Piece, origin: DomainName, encode: Bool)
        throws(InputError) -> ZoneFile
    {
        var zone = ZoneFile()
        zone.encodesCommonRecords = encode
        zone.directivesAtEnd = Directives(origin: piece.origin, ttl: piece.ttl)
        var defaultTTL: UInt32 = 3600
        if let ttl = piece.ttl {
            var end: UnsafePointer<CChar>? = nil
            if case .value(let value) = MasterFileFields.ttl(Array(ttl.utf8)) {
                defaultTTL = value
            } else if case .aboveMaximum = MasterFileFields.ttl(Array(ttl.utf8)) {
                defaultTTL = 0
            } else {
                defaultTTL = ldns_str2period(ttl, &end)
            }
        }
        let originName = piece.origin.map { ldns_dname_new_frm_str($0) } ?? LDNSZoneSupport.dname(origin)
        try zone.parse(
            path: path, range: piece.start..<piece.end, originName: originName, origin: origin,
            defaultTTL: &defaultTTL, lineOffset: piece.firstLine - 1, allowInclude: false, depth: 0,
            ttlStated: piece.ttl != nil)
        return zone
    }

    private mutating func readFile(
        path: String, origin: DomainName, defaultTTL: inout UInt32, allowInclude: Bool, depth: Int
    ) throws(InputError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw InputError(file: path, reason: "is a directory, not a zone file")
        }
        try parse(
            path: path, range: nil, originName: LDNSZoneSupport.dname(origin), origin: origin, defaultTTL: &defaultTTL,
            lineOffset: 0, allowInclude: allowInclude, depth: depth)
    }

    /// Reads the records of `range` of the file (all of it when nil), in blocks. Each entry is found by
    /// `MasterFileEntry`; a record goes to libldns' `ldns_rr_new_frm_str` from a reused buffer, and a `$`
    /// directive to `ldns_rr_new_frm_fp_l`, so libldns decides every record's meaning and the
    /// directives' effect, while the reading stays out of its byte-at-a-time stream tokenizer.
    /// `originName` is the libldns origin to start from, which this function owns and frees; line
    /// numbers are counted from `lineOffset`.
    private mutating func parse(
        path: String, range: Range<Int>?, originName initialOrigin: UnsafeMutablePointer<ldns_rdf>?,
        origin: DomainName, defaultTTL: inout UInt32, lineOffset: Int, allowInclude: Bool, depth: Int,
        ttlStated: Bool = false
    ) throws(InputError) {
        var originName = initialOrigin
        // Until a `$TTL` (RFC 2308 §4), a record without a TTL takes the last TTL a record stated
        // (RFC 1035 §5.1), as ldns-read-zone and named-checkzone read it.
        var sawTTLDirective = ttlStated
        var previousOwner: UnsafeMutablePointer<ldns_rdf>? = nil
        defer {
            if let originName { ldns_rdf_deep_free(originName) }
            if let previousOwner { ldns_rdf_deep_free(previousOwner) }
        }
        guard let wire = ldns_buffer_new(4096) else {
            throw InputError(file: path, reason: "out of memory")
        }
        defer { ldns_buffer_free(wire) }

        let fileID = store.fileID(path)
        var flat = [UInt8](repeating: 0, count: 4096)
        // Records the common encoder writes (see CommonRecordEncoder) skip libldns; the owner of the last
        // of them becomes libldns' previous owner only when libldns next needs one.
        let encoder = encodesCommonRecords ? Self.commonEncoder : nil
        // The encoder's output: room for any record text up to the longest libldns reads.
        var encoded = [UInt8](repeating: 0, count: CommonRecordEncoder.outputCapacity(Self.longestRecordText))
        var encodedLength = 0
        /// Encodes `text` into `encoded`; its TTL, or nil when the encoder leaves it to libldns.
        func encode(_ text: UnsafeBufferPointer<UInt8>, with encoder: CommonRecordEncoder) -> UInt32? {
            guard text.count <= Self.longestRecordText else { return nil }
            let origin = originName.map { UnsafeBufferPointer(start: ldns_rdf_data($0), count: ldns_rdf_size($0)) }
            guard
                let (ttl, length) = encoded.withUnsafeMutableBufferPointer({
                    encoder.encode(text, origin: origin, into: $0)
                })
            else { return nil }
            encodedLength = length
            return ttl
        }
        var pendingOwner: [UInt8] = []
        var ownerPending = false
        func settleOwner() {
            guard ownerPending else { return }
            ownerPending = false
            if let previousOwner { ldns_rdf_deep_free(previousOwner) }
            previousOwner = pendingOwner.withUnsafeBufferPointer {
                ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, $0.count, $0.baseAddress)
            }
        }

        /// Hands one record's text (flattened, NUL-terminated in `flat`) to libldns, after putting its
        /// TTL and class in the order libldns reads.
        func readRecord(length: Int, namesOwner: Bool, line: Int) throws(InputError) -> ldns_status {
            var rr: UnsafeMutablePointer<ldns_rr>? = nil
            // libldns reads at most 65535 characters of a record and drops the rest without a word.
            guard length <= Self.longestRecordText else {
                throw InputError(
                    file: path, place: .line(line),
                    reason: "a record of \(length) characters: its data cannot fit the 65535 bytes of RDATA "
                        + "(RFC 1035 §3.2.1)")
            }
            if flat.count < length + 2 { flat += [0, 0] }
            let status = try flat.withUnsafeMutableBufferPointer { (text) throws(InputError) -> ldns_status in
                let length = namesOwner ? MasterFileFields.escapeLeadingAt(text, length: length) : length
                do throws(MasterFileFields.Problem) {
                    if let warning = try MasterFileFields.normaliseRecord(text, length: length, namesOwner: namesOwner)
                    {
                        warnings.append("\(path):\(line): \(warning)")
                    }
                } catch {
                    guard case .ttlTooLarge(let token) = error else { return LDNS_STATUS_ERR }
                    throw InputError(
                        file: path, place: .line(line), reason: "bad TTL \(token): it does not fit 32 bits")
                }
                if namesOwner, let encoder {
                    if let ttl = encode(UnsafeBufferPointer(rebasing: text[..<length]), with: encoder) {
                        if !sawTTLDirective { defaultTTL = ttl }
                        return LDNS_STATUS_OK
                    }
                }
                settleOwner()
                return UnsafeMutableRawBufferPointer(text).withMemoryRebound(to: CChar.self) { chars in
                    ldns_rr_new_frm_str(&rr, chars.baseAddress, defaultTTL, originName, &previousOwner)
                }
            }
            if status == LDNS_STATUS_OK, rr == nil {
                try keepEncoded(line: line)
                return status
            }
            if status == LDNS_STATUS_OK, let rr {
                defer { ldns_rr_free(rr) }
                // A record without a TTL got `defaultTTL`, so this changes it only after a stated one.
                if !sawTTLDirective { defaultTTL = ldns_rr_ttl(rr) }
                try keep(rr, line: line)
            }
            return status
        }

        /// Stores the record the common encoder wrote into `encoded`; its owner becomes the pending one.
        func keepEncoded(line: Int) throws(InputError) {
            let ownerLength = try encoded.withUnsafeBufferPointer { (all) throws(InputError) -> Int in
                let bytes = UnsafeBufferPointer(rebasing: all[..<encodedLength])
                guard let ownerLength = Self.store(wire: bytes, line: line, file: fileID, into: &store),
                    !store.isFull
                else { throw InputError(file: path, place: .line(line), reason: "record cannot be encoded") }
                return ownerLength
            }
            pendingOwner.removeAll(keepingCapacity: true)
            pendingOwner.append(contentsOf: encoded[..<ownerLength])
            ownerPending = true
        }

        /// A whole line that names its owner, offered before the lexer sees it (see
        /// `MasterFileReader.forEachEntry`): the common encoder takes it only when every byte is plain,
        /// so flattening would change nothing but the newline, which it reads as a blank. A TTL above
        /// 2^31 − 1 goes the general way, which warns that it is read as 0.
        func plainLine(_ text: UnsafeBufferPointer<UInt8>, line: Int) throws(InputError) -> Bool {
            guard let encoder, let ttl = encode(text, with: encoder), ttl <= UInt32(Int32.max) else { return false }
            if !sawTTLDirective { defaultTTL = ttl }
            try keepEncoded(line: line)
            return true
        }

        func keep(_ rr: UnsafeMutablePointer<ldns_rr>, line: Int) throws(InputError) {
            ldns_buffer_clear(wire)
            guard ldns_rr2buffer_wire_canonical(wire, rr, Int32(LDNS_SECTION_ANSWER.rawValue)) == LDNS_STATUS_OK
            else {
                throw InputError(file: path, place: .line(line), reason: "record cannot be encoded")
            }
            let bytes = UnsafeBufferPointer(start: ldns_buffer_begin(wire), count: ldns_buffer_position(wire))
            guard Self.store(wire: bytes, line: line, file: fileID, into: &store) != nil, !store.isFull else {
                throw InputError(file: path, place: .line(line), reason: "record cannot be encoded")
            }
        }

        func flatten(_ text: UnsafeBufferPointer<UInt8>) -> Int {
            if flat.count <= text.count { flat = [UInt8](repeating: 0, count: text.count * 2 + 1) }
            return flat.withUnsafeMutableBufferPointer { out in
                MasterFileEntry.flatten(text, into: out)
                return out.firstIndex(of: 0) ?? 0
            }
        }

        /// Expands a `$GENERATE` line (see GenerateDirective) into records read like written ones.
        func generate(_ text: String, line lineNumber: Int) throws(InputError) {
            let directive: GenerateDirective
            do { directive = try GenerateDirective(text) } catch {
                throw InputError(file: path, place: .line(lineNumber), reason: error.reason)
            }
            // BIND's named-checkzone gives a blank owner after `$GENERATE` the owner from before it:
            // the generated records do not become the previous owner.
            settleOwner()
            let ownerBefore = previousOwner.flatMap { ldns_rdf_clone($0) }
            defer {
                ownerPending = false
                if let previousOwner { ldns_rdf_deep_free(previousOwner) }
                previousOwner = ownerBefore
            }
            var value = directive.start
            while value <= directive.stop {
                let record: String
                do { record = try directive.record(value) } catch {
                    throw InputError(file: path, place: .line(lineNumber), reason: error.reason)
                }
                let bytes = Array(record.utf8)
                if flat.count <= bytes.count { flat = [UInt8](repeating: 0, count: bytes.count * 2 + 1) }
                flat.replaceSubrange(0..<bytes.count, with: bytes)
                flat[bytes.count] = 0
                let status = try readRecord(length: bytes.count, namesOwner: true, line: lineNumber)
                guard status == LDNS_STATUS_OK else {
                    throw InputError(
                        file: path, place: .line(lineNumber),
                        reason: "syntax error in the record $GENERATE makes for \(value) ('\(record)'): "
                            + LDNSZoneSupport.message(status))
                }
                value += directive.step
            }
        }

        try MasterFileReader.forEachEntry(
            path: path, range: range, lineOffset: lineOffset, plainLines: encoder != nil, plainLine: plainLine
        ) { (located) throws(InputError) -> Bool in
            let entry = located.entry
            let lineNumber = located.lastLine
            switch entry.parentheses {
            case .balanced: break
            case .unclosed:
                throw InputError(
                    file: path, place: .line(located.firstLine),
                    reason: "syntax error: the '(' of this entry is never closed")
            case .unopened:
                throw InputError(
                    file: path, place: .line(lineNumber), reason: "syntax error: a ')' without an opening '('")
            }
            var rr: UnsafeMutablePointer<ldns_rr>? = nil
            let status: ldns_status
            switch entry.kind {
            case .blank:
                return true
            case .record(let namesOwner):
                let length = flatten(located.text)
                status = try readRecord(length: length, namesOwner: namesOwner, line: lineNumber)
            case .directive:
                switch ZoneFileSplitter.directive(located.text) {
                case .origin(let value): directivesAtEnd.origin = value
                case .ttl(let value): directivesAtEnd.ttl = value
                case .include, .other: break
                }
                let length = flatten(located.text)
                let keyword = flat.withUnsafeMutableBufferPointer { text in
                    MasterFileFields.capitaliseKeyword(text, length: length)
                    return MasterFileFields.directiveKeyword(text, length: length)
                }
                if keyword == "$GENERATE" {
                    try generate(String(decoding: flat[..<length], as: UTF8.self), line: lineNumber)
                    return true
                }
                if keyword == "$TTL" {
                    sawTTLDirective = true
                    try flat.withUnsafeMutableBufferPointer { (text) throws(InputError) in
                        guard let keyword = MasterFileFields.token(text, length: length, from: 0),
                            let value = MasterFileFields.token(text, length: length, from: keyword.upperBound)
                        else { return }
                        do throws(MasterFileFields.Problem) {
                            if let warning = try MasterFileFields.checkTTL(text, value) {
                                warnings.append("\(path):\(lineNumber): \(warning)")
                            }
                        } catch {
                            guard case .ttlTooLarge(let token) = error else { return }
                            throw InputError(
                                file: path, place: .line(lineNumber),
                                reason: "bad $TTL \(token): it does not fit 32 bits")
                        }
                    }
                }
                // libldns reads a directive from a stream only; fmemopen wants a mutable pointer but
                // opened for reading does not write through it. The flattened copy, with its keyword in
                // capitals, is what it reads.
                flat[length] = UInt8(ascii: "\n")
                let opened = flat.withUnsafeMutableBufferPointer { text in
                    fmemopen(UnsafeMutableRawPointer(text.baseAddress), length + 1, "r")
                }
                guard let fp = opened else { throw InputError(file: path, reason: "out of memory") }
                defer { fclose(fp) }
                var ignoredLine: Int32 = 0
                settleOwner()
                status = ldns_rr_new_frm_fp_l(&rr, fp, &defaultTTL, &originName, &previousOwner, &ignoredLine)
                if status == LDNS_STATUS_OK, let rr {
                    defer { ldns_rr_free(rr) }
                    try keep(rr, line: lineNumber)
                }
            }
            switch status {
            case LDNS_STATUS_OK, LDNS_STATUS_SYNTAX_EMPTY, LDNS_STATUS_SYNTAX_TTL:
                break
            case LDNS_STATUS_SYNTAX_ORIGIN:
                // libldns takes the rest of the line as the name (`$ORIGIN a b` gives `a\032b`);
                // named-checkzone refuses text after the name ("extra input text"), and so do we.
                if MasterFileFields.directiveFields(located.text).count > 2 {
                    throw InputError(
                        file: path, place: .line(max(lineNumber, 1)),
                        reason: "syntax error: text after the $ORIGIN name (one name, then at most a comment)")
                }
                if declaredOrigin == nil, depth == 0, store.rows.isEmpty, let originName {
                    declaredOrigin = Self.name(originName)
                }
            case LDNS_STATUS_SYNTAX_INCLUDE:
                let place = InputPlace.line(lineNumber)
                guard allowInclude else {
                    throw InputError(
                        file: path, place: place,
                        reason: "$INCLUDE is refused: a zone file must not make exposure read other files; "
                            + "pass --allow-include if you trust this zone")
                }
                guard depth < Self.maximumIncludeDepth else {
                    throw InputError(
                        file: path, place: place, reason: "$INCLUDE nested more than \(Self.maximumIncludeDepth) deep")
                }
                let directive = Self.includeDirective(located.text)
                guard let target = directive.file else {
                    throw InputError(file: path, place: place, reason: "$INCLUDE without a file name")
                }
                let resolved =
                    target.hasPrefix("/")
                    ? target : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target)
                var includeOrigin = originName.map(Self.name) ?? origin
                if let text = directive.origin {
                    guard let name = DomainName(text: text) else {
                        throw InputError(
                            file: path, place: place, reason: "$INCLUDE origin '\(text)' is not a name")
                    }
                    includeOrigin = name
                }
                includedFiles.append(resolved)
                try readFile(
                    path: resolved, origin: includeOrigin, defaultTTL: &defaultTTL, allowInclude: allowInclude,
                    depth: depth + 1)
            default:
                throw InputError(
                    file: path, place: .line(max(lineNumber, 1)),
                    reason: "syntax error: \(LDNSZoneSupport.message(status))")
            }
            return true
        }

    }

    /// Splits a canonical wire form (owner, type, class, TTL, RDLENGTH, RDATA) into the store and returns
    /// the owner's length; nil when the bytes are not one whole record.
    private static func store(
        wire bytes: UnsafeBufferPointer<UInt8>, line: Int, file: UInt16, into store: inout RecordStore
    ) -> Int? {
        var offset = 0
        while true {
            guard offset < bytes.count else { return nil }
            let length = Int(bytes[offset])
            guard length < 64 else { return nil }
            offset += length + 1
            if length == 0 { break }
        }
        guard offset <= 255, bytes.count - offset >= 10 else { return nil }
        let ownerLength = offset
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1]) }
        let type = u16(offset)
        let rclass = u16(offset + 2)
        let ttl = UInt32(u16(offset + 4)) << 16 | UInt32(u16(offset + 6))
        let length = Int(u16(offset + 8))
        guard bytes.count - offset - 10 == length else { return nil }
        store.append(
            ownerWire: UnsafeBufferPointer(rebasing: bytes[..<ownerLength]), type: type, recordClass: rclass,
            ttl: ttl, rdata: UnsafeBufferPointer(rebasing: bytes[(offset + 10)...]), line: line, file: file)
        return ownerLength
    }

    /// The encoder, with every type mnemonic libldns knows (`ldns_get_rr_type_by_name` gives each back).
    static let commonEncoder: CommonRecordEncoder = {
        var names: [(String, UInt16)] = []
        for code in Array(1...1023) + [32768, 32769] {
            guard let descriptor = ldns_rr_descript(UInt16(code)), descriptor.pointee._type.rawValue == code,
                let cName = descriptor.pointee._name
            else { continue }
            let name = String(cString: cName)
            guard ldns_get_rr_type_by_name(cName).rawValue == code else { continue }
            names.append((name, UInt16(code)))
        }
        return CommonRecordEncoder(typeNames: names)
    }()

    static func name(_ rdf: UnsafeMutablePointer<ldns_rdf>) -> DomainName {
        let bytes = Array(UnsafeBufferPointer(start: ldns_rdf_data(rdf), count: ldns_rdf_size(rdf)))
        var offset = 0
        return DomainName.read(bytes[...], at: &offset) ?? .root
    }

    /// The file and optional origin of an `$INCLUDE` entry: libldns says only that it saw one.
    private static func includeDirective(_ entry: UnsafeBufferPointer<UInt8>) -> (file: String?, origin: String?) {
        let fields = MasterFileFields.directiveFields(entry)
        let file = fields.count > 1 ? fields[1].trimmingCharacters(in: ["\""]) : nil
        let origin = fields.count > 2 ? fields[2] : nil
        return (file, origin)
    }
}
