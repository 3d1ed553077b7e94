//! Reading a file's bytes as a JSON value: the text encodings exporters write (UTF-8 with
//! or without a byte-order mark, UTF-16 LE/BE), JSON, and YAML (IntuneCD's `-o yaml`).

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::Yaml;

use super::FileProblem;

/// Decodes file bytes to text: UTF-8 (optional BOM) or UTF-16 LE/BE with a BOM, or
/// UTF-16 without one when the byte pattern leaves no doubt.
pub fn decode_text(bytes: &[u8]) -> Result<String, FileProblem> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    // JSON and YAML start with an ASCII character; UTF-16 without a mark shows as a zero
    // byte after (LE) or before (BE) it.
    if bytes.len() >= 2 && bytes.len().is_multiple_of(2) {
        if bytes[0] != 0 && bytes[1] == 0 {
            return utf16(bytes, u16::from_le_bytes);
        }
        if bytes[0] == 0 && bytes[1] != 0 {
            return utf16(bytes, u16::from_be_bytes);
        }
    }
    utf8(bytes)
}

fn utf8(bytes: &[u8]) -> Result<String, FileProblem> {
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        FileProblem::Encoding(format!(
            "invalid UTF-8 at byte {}",
            e.utf8_error().valid_up_to()
        ))
    })
}

fn utf16(bytes: &[u8], to_unit: fn([u8; 2]) -> u16) -> Result<String, FileProblem> {
    if !bytes.len().is_multiple_of(2) {
        return Err(FileProblem::Encoding(
            "UTF-16 text with an odd number of bytes".to_owned(),
        ));
    }
    let units = bytes
        .chunks_exact(2)
        .map(|pair| to_unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|e| FileProblem::Encoding(format!("invalid UTF-16: {e}")))
}

/// Parses JSON text; an empty file is a problem of its own.
pub fn parse_json(text: &str) -> Result<Value, FileProblem> {
    if text.trim().is_empty() {
        return Err(FileProblem::Shape("the file is empty".to_owned()));
    }
    serde_json::from_str(text).map_err(|e| FileProblem::Syntax {
        language: "JSON",
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// At most this many nodes come out of one YAML document, aliases expanded: a few
/// aliases of aliases would otherwise expand into gigabytes ("billion laughs").
const YAML_NODE_BUDGET: usize = 2_000_000;

/// Collections nest at most this deep (serde_json's own limit for JSON text).
const MAX_DEPTH: usize = 128;

/// Parses a YAML document (the first of the stream) into a JSON value. Plain scalars
/// follow YAML's core schema (`true`, `12`, `1.5`, `null`); quoted ones stay strings; map
/// keys become strings; aliases are expanded within a node budget.
pub fn parse_yaml(text: &str) -> Result<Value, FileProblem> {
    if text.trim().is_empty() {
        return Err(FileProblem::Shape("the file is empty".to_owned()));
    }
    let mut builder = YamlBuilder::default();
    let mut parser = Parser::new_from_str(text);
    parser
        .load(&mut builder, false)
        .map_err(|e| FileProblem::Syntax {
            language: "YAML",
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.to_string(),
        })?;
    if let Some(problem) = builder.problem {
        return Err(problem);
    }
    builder
        .document
        .ok_or_else(|| FileProblem::Shape("the YAML file holds no document".to_owned()))
}

/// Builds JSON values from the parser's events.
#[derive(Default)]
struct YamlBuilder {
    /// Open collections with their anchor and the number of values inside so far.
    stack: Vec<(Open, usize, usize)>,
    /// Anchored values with their number of values.
    anchors: std::collections::HashMap<usize, (Value, usize)>,
    document: Option<Value>,
    /// Values made so far, aliases counted in full.
    nodes: usize,
    problem: Option<FileProblem>,
}

enum Open {
    Sequence(Vec<Value>),
    Mapping(Map<String, Value>, Option<String>),
}

impl YamlBuilder {
    /// Adds a finished value of `size` values to its parent.
    fn complete(&mut self, value: Value, size: usize, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, (value.clone(), size));
        }
        match self.stack.last_mut() {
            None => {
                if self.document.is_none() {
                    self.document = Some(value);
                }
            }
            Some((open, _, inside)) => {
                *inside += size;
                match open {
                    Open::Sequence(items) => items.push(value),
                    Open::Mapping(map, key) => match key.take() {
                        None => *key = Some(key_text(&value)),
                        Some(k) => {
                            map.insert(k, value);
                        }
                    },
                }
            }
        }
    }

    /// False (and a problem) when one more level would nest deeper than JSON may.
    fn deeper(&mut self) -> bool {
        if self.stack.len() >= MAX_DEPTH {
            self.problem.get_or_insert(FileProblem::Shape(format!(
                "the YAML document nests deeper than {MAX_DEPTH} levels"
            )));
            return false;
        }
        true
    }

    /// Counts `size` more values; false (and a problem) past the budget.
    fn spend(&mut self, size: usize) -> bool {
        self.nodes = self.nodes.saturating_add(size);
        if self.nodes > YAML_NODE_BUDGET {
            self.problem.get_or_insert(FileProblem::Shape(format!(
                "the YAML document expands to more than {YAML_NODE_BUDGET} values (aliases of aliases?)"
            )));
            return false;
        }
        true
    }
}

/// A mapping key as text (JSON keys are strings).
fn key_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl MarkedEventReceiver for YamlBuilder {
    fn on_event(&mut self, event: Event, _mark: Marker) {
        if self.problem.is_some() {
            return;
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                if !self.spend(1) {
                    return;
                }
                let value = if style == TScalarStyle::Plain && tag.is_none() {
                    plain_scalar(&text)
                } else {
                    Value::String(text)
                };
                self.complete(value, 1, anchor);
            }
            Event::SequenceStart(anchor, _) if self.deeper() => {
                self.stack.push((Open::Sequence(Vec::new()), anchor, 0));
            }
            Event::MappingStart(anchor, _) if self.deeper() => {
                self.stack
                    .push((Open::Mapping(Map::new(), None), anchor, 0));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if !self.spend(1) {
                    return;
                }
                if let Some((open, anchor, inside)) = self.stack.pop() {
                    let value = match open {
                        Open::Sequence(items) => Value::Array(items),
                        Open::Mapping(map, _) => Value::Object(map),
                    };
                    self.complete(value, inside + 1, anchor);
                }
            }
            Event::Alias(id) => {
                let size = self.anchors.get(&id).map_or(1, |(_, size)| *size);
                // Checked before the copy is made.
                if !self.spend(size) {
                    return;
                }
                let value = self
                    .anchors
                    .get(&id)
                    .map_or(Value::Null, |(value, _)| value.clone());
                self.complete(value, size, 0);
            }
            _ => {}
        }
    }
}

/// A plain YAML scalar by the core schema.
fn plain_scalar(text: &str) -> Value {
    match Yaml::from_str(text) {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Integer(n) => Value::Number(n.into()),
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map_or_else(|| Value::String(text.to_owned()), Value::Number),
        _ => Value::String(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn yaml_becomes_the_json_it_stands_for() {
        let text = "displayName: Win - Defender\n'@odata.type': '#microsoft.graph.x'\ncount: 12\nratio: 1.5\nflag: true\nnothing: null\nquoted: 'true'\nlist:\n- a\n- b: 1\nempty: []\n";
        assert_eq!(
            parse_yaml(text).expect("parses"),
            json!({
                "displayName": "Win - Defender",
                "@odata.type": "#microsoft.graph.x",
                "count": 12,
                "ratio": 1.5,
                "flag": true,
                "nothing": null,
                "quoted": "true",
                "list": ["a", {"b": 1}],
                "empty": []
            })
        );
    }

    #[test]
    fn yaml_aliases_expand_within_a_budget() {
        assert_eq!(
            parse_yaml("a: &x [1, 2]\nb: *x\n").expect("parses"),
            json!({"a": [1, 2], "b": [1, 2]})
        );
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = format!("*a{}", i - 1);
            bomb.push_str(&format!(
                "a{i}: &a{i} [{prev}, {prev}, {prev}, {prev}, {prev}, {prev}, {prev}, {prev}, {prev}, {prev}]\n"
            ));
        }
        assert!(matches!(parse_yaml(&bomb), Err(FileProblem::Shape(_))));
    }

    #[test]
    fn yaml_syntax_errors_name_the_line() {
        let error = parse_yaml("a: [1, 2\nb: 3\n").expect_err("bad");
        assert!(matches!(error, FileProblem::Syntax { .. }), "{error:?}");
    }
}
