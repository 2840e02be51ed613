//! Post-processing of pb-rs output: every generated Rust `enum` becomes an
//! `i32` newtype with associated constants, so a number the schema does not
//! know is kept instead of being read as the enum's first value.

use crate::schema::Enum;

/// Replaces pb-rs's enum definitions in `src` (one generated module) by
/// newtypes, and rewrites the two places pb-rs casts enum values with `as`.
pub fn rewrite(src: &str, enums: &[Enum]) -> Result<String, String> {
    let mut out = src.to_string();
    for e in enums {
        let name = e.rust_path.rsplit("::").next().unwrap_or(&e.rust_path);
        let start_pat =
            format!("#[derive(Debug, PartialEq, Eq, Clone, Copy)]\npub enum {name} {{\n");
        let starts: Vec<usize> = out.match_indices(&start_pat).map(|(i, _)| i).collect();
        // Nested enums of the same local name could collide; the schema has none.
        if starts.len() != 1 {
            return Err(format!(
                "enum {name}: found {} definitions in pb-rs output",
                starts.len()
            ));
        }
        let start = starts[0];
        let from_str = format!("impl<'a> From<&'a str> for {name} {{");
        let fs = out[start..]
            .find(&from_str)
            .ok_or_else(|| format!("enum {name}: no From<&str> impl"))?
            + start;
        let end = block_end(&out, fs).ok_or_else(|| format!("enum {name}: unbalanced"))?;
        out.replace_range(start..end, &newtype(name, e));
    }
    let out = rewrite_casts(
        &out,
        "w.write_enum(",
        " as i32)",
        "w.write_enum(i32::from(",
        "))",
    );
    let out = rewrite_casts(
        &out,
        "sizeof_varint(",
        " as u64)",
        "sizeof_varint(crate::__private::VarintValue::varint_value(",
        "))",
    );
    Ok(out)
}

/// Byte index just past the `}` that closes the first `{` at or after `from`.
fn block_end(s: &str, from: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s[from..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    // include the newline that follows
                    let j = from + i + 1;
                    return Some(if s[j..].starts_with('\n') { j + 1 } else { j });
                }
            }
            _ => {}
        }
    }
    None
}

/// Rewrites every `open EXPR close` (EXPR without parentheses imbalance) to
/// `new_open EXPR new_close`.
fn rewrite_casts(s: &str, open: &str, close: &str, new_open: &str, new_close: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(close) else { break };
        let expr = &after[..j];
        out.push_str(&rest[..i]);
        // `sizeof_varint(x)` calls without a cast must stay as they are.
        if expr.contains(')') && expr.matches('(').count() != expr.matches(')').count() {
            out.push_str(open);
            rest = after;
            continue;
        }
        out.push_str(new_open);
        out.push_str(expr);
        out.push_str(new_close);
        rest = &after[j + close.len()..];
    }
    out.push_str(rest);
    out
}

fn newtype(name: &str, e: &Enum) -> String {
    let first = e.values.first().map(|v| v.1).unwrap_or(0);
    let mut s = String::new();
    s.push_str(&format!(
        "/// The proto2 enum `{fq}`, kept as its number: a value this schema does\n\
         /// not know is preserved, never read as another value.\n\
         #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\n\
         pub struct {name}(pub i32);\n\n\
         impl {name} {{\n",
        fq = e.fq
    ));
    for (v, n) in &e.values {
        s.push_str(&format!(
            "    /// `{v}` = {n}\n    pub const {v}: Self = Self({n});\n"
        ));
    }
    s.push_str("    /// Every value the schema defines, in declaration order.\n");
    s.push_str("    pub const KNOWN: &'static [Self] = &[");
    for (v, _) in &e.values {
        s.push_str(&format!("Self::{v}, "));
    }
    s.push_str("];\n\n");
    s.push_str("    /// The schema's name for this value, if it has one.\n");
    s.push_str("    pub fn name(self) -> Option<&'static str> {\n        match self.0 {\n");
    let mut seen = Vec::new();
    for (v, n) in &e.values {
        if !seen.contains(n) {
            seen.push(*n);
            s.push_str(&format!("            {n} => Some(\"{v}\"),\n"));
        }
    }
    s.push_str("            _ => None,\n        }\n    }\n\n");
    s.push_str("    /// The value the schema calls `name`.\n");
    s.push_str("    pub fn from_name(name: &str) -> Option<Self> {\n        match name {\n");
    for (v, _) in &e.values {
        s.push_str(&format!("            \"{v}\" => Some(Self::{v}),\n"));
    }
    s.push_str("            _ => None,\n        }\n    }\n\n");
    s.push_str("    /// Whether the schema defines this number.\n");
    s.push_str("    pub fn is_known(self) -> bool {\n        self.name().is_some()\n    }\n}\n\n");
    s.push_str(&format!(
        "impl Default for {name} {{\n    /// The first declared value, as proto2 defines it.\n    \
         fn default() -> Self {{\n        Self({first})\n    }}\n}}\n\n\
         impl From<i32> for {name} {{\n    fn from(n: i32) -> Self {{\n        Self(n)\n    }}\n}}\n\n\
         impl From<{name}> for i32 {{\n    fn from(v: {name}) -> i32 {{\n        v.0\n    }}\n}}\n\n\
         impl core::fmt::Debug for {name} {{\n    \
         fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {{\n        \
         match self.name() {{\n            Some(n) => f.write_str(n),\n            \
         None => write!(f, \"{name}({{}})\", self.0),\n        }}\n    }}\n}}\n\n\
         impl crate::__private::VarintValue for {name} {{\n    \
         fn varint_value(self) -> u64 {{\n        self.0 as u64\n    }}\n}}\n\n"
    ));
    s
}
