//! Bytes as the body of a CloudFormation role (YAML, with intrinsic tags) and as a Terraform plan
//! policy string. A document read through a string literal's escapes must equal the decoded
//! value's tree mapped back (spans and duplicate keys included), whatever the escaping.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let config = ekstrust::config::Config {
        complete: true,
        ..Default::default()
    };
    let mut cfn = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  P:\n    Type: String\n    Default: x\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n");
    for line in text.lines() {
        cfn.push_str("        ");
        cfn.push_str(line);
        cfn.push('\n');
    }
    let _ = ekstrust::engine::lint_in_memory(&[("stack.yaml", cfn.as_bytes())], &config);
    let plan = format!(
        "{{\"format_version\":\"1.2\",\"planned_values\":{{\"root_module\":{{\"resources\":[{{\"address\":\"aws_iam_role.r\",\"type\":\"aws_iam_role\",\"values\":{{\"name\":\"r\",\"assume_role_policy\":{}}}}}]}}}}}}",
        serde_json::to_string(text).unwrap_or_default()
    );
    let _ = ekstrust::engine::lint_in_memory(&[("plan.json", plan.as_bytes())], &config);
    for literal in [serde_json::to_string(text).unwrap_or_default(), escape_all(text)] {
        read_through_escapes_equals_mapped(&literal);
    }
});

/// A JSON string literal of `text` with every character but letters and digits escaped.
fn escape_all(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out.push('"');
    out
}

fn read_through_escapes_equals_mapped(literal: &str) {
    use ekstrust::loader::{embedded::Inner, json};
    let outer = format!("{{\"p\":{literal}}}");
    let Ok(doc) = json::parse(&outer, 0, &Default::default()) else {
        return;
    };
    let Some(node) = doc.root.get("p") else {
        return;
    };
    let start = node.span.start as usize;
    let Some(direct) = json::parse_in_string_literal(&outer, start, 0, &Default::default()) else {
        return;
    };
    let mapped = Inner::of(&outer, node).map(|inner| inner.parse_json(0));
    let Some(Ok(mapped)) = mapped else {
        panic!("the direct read accepted what the mapped path rejects: {literal}");
    };
    assert!(direct.root == mapped.root, "trees differ: {literal}");
    assert_eq!(
        format!("{:?}", direct.duplicates),
        format!("{:?}", mapped.duplicates),
        "duplicate keys differ: {literal}"
    );
}
