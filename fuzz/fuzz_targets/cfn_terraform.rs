//! Bytes as the body of a CloudFormation role (YAML, with intrinsic tags) and as a Terraform plan
//! policy string.
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
});
