//! Bytes as an IAM policy: raw, inside `get-role` output, and URL-encoded as the IAM API returns it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config = ekstrust::config::Config::default();
    let _ = ekstrust::engine::lint_in_memory(&[("policy.json", data)], &config);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let wrapped = format!("{{\"Role\": {{\"RoleName\": \"r\", \"Arn\": \"arn:aws:iam::111122223333:role/r\", \"AssumeRolePolicyDocument\": {}}}}}", serde_json::to_string(text).unwrap_or_default());
    let _ = ekstrust::engine::lint_in_memory(&[("get-role.json", wrapped.as_bytes())], &config);
    let encoded: String = text.bytes().map(|b| format!("%{b:02X}")).collect();
    let api = format!(
        "{{\"Role\": {{\"RoleName\": \"r\", \"AssumeRolePolicyDocument\": \"{encoded}\"}}}}"
    );
    let _ = ekstrust::engine::lint_in_memory(&[("api.json", api.as_bytes())], &config);
});
