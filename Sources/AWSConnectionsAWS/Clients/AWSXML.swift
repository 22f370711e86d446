import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads the few elements the platform needs out of STS and S3 XML answers.
///
/// FoundationXML's `XMLParser` ships with the toolchain, so this needs no new package; XMLCoder
/// or SWXMLHash would map whole documents into types, while the platform reads a handful of
/// text elements (an error's `Code` and `Message`, four credential fields) and ignores the rest.
enum AWSXML {
    /// The text of the first element with each of `names`, at any depth, keyed by name; only
    /// elements inside an element named `ancestor` count when one is given. Namespace prefixes
    /// are ignored. Nil when `body` is not well-formed XML.
    static func firstTexts(named names: Set<String>, inside ancestor: String? = nil, in body: [UInt8]) -> [String:
        String]?
    {
        guard !body.isEmpty else { return nil }
        let collector = TextCollector(names: names, ancestor: ancestor)
        let parser = XMLParser(data: Data(body))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = collector
        guard parser.parse() else { return nil }
        return collector.found
    }

    /// AWS's error code and message from an error answer: `<Error><Code>…</Code><Message>…</Message></Error>`
    /// whether at the root (S3), under `<ErrorResponse>` (STS) or under `<ErrorResponse><Errors>`
    /// (moto's STS). Nil when there is no `Code` inside an `Error`.
    static func error(in body: [UInt8]) -> (code: String, message: String)? {
        guard let texts = firstTexts(named: ["Code", "Message"], inside: "Error", in: body),
            let code = texts["Code"], !code.isEmpty
        else { return nil }
        return (code, texts["Message"] ?? "")
    }
}

private final class TextCollector: NSObject, XMLParserDelegate {
    let names: Set<String>
    let ancestor: String?
    private(set) var found: [String: String] = [:]
    /// Open elements, innermost last.
    private var stack: [String] = []
    private var ancestorDepth = 0
    /// The text of the wanted element being read, if one is open.
    private var text: String?

    init(names: Set<String>, ancestor: String?) {
        self.names = names
        self.ancestor = ancestor
    }

    private static func localName(_ qualified: String) -> String {
        guard let colon = qualified.lastIndex(of: ":") else { return qualified }
        return String(qualified[qualified.index(after: colon)...])
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        let name = Self.localName(elementName)
        stack.append(name)
        if name == ancestor { ancestorDepth += 1 }
        let allowed = ancestor == nil || ancestorDepth > 0
        if allowed, names.contains(name), found[name] == nil {
            text = ""
        } else if text != nil {
            // A wanted element with children is not a text element: drop it.
            text = nil
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text?.append(string)
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        text?.append(String(decoding: CDATABlock, as: UTF8.self))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        let name = Self.localName(elementName)
        if let value = text, stack.last == name, names.contains(name), found[name] == nil {
            found[name] = value.strippingASCIIWhitespace
        }
        text = nil
        if stack.last != nil { stack.removeLast() }
        if name == ancestor { ancestorDepth -= 1 }
    }
}
