// SPDX-License-Identifier: GPL-2.0

//! Procedural macro to run KUnit tests using a user-space like syntax.
//!
//! Shaped after the `#[kunit_tests]` attribute mainline gained in 6.15: the functions marked
//! `#[test]` in the module become the cases of one KUnit suite, placed in the
//! `.kunit_test_suites` section so that KUnit runs it at boot (built-in code) or when the module
//! is loaded. Inside the module, `assert!` and `assert_eq!` report to KUnit instead of
//! panicking.

use proc_macro::{Delimiter, Group, TokenStream, TokenTree};
use std::fmt::Write;

pub(crate) fn kunit_tests(attr: TokenStream, ts: TokenStream) -> TokenStream {
    let attr = attr.to_string();
    let suite = attr.trim();
    if suite.is_empty() || !suite.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        panic!("Expected a suite name made of letters, digits and `_`: #[kunit_tests(name)]");
    }
    if suite.len() > 255 {
        panic!("The suite name \"{suite}\" is longer than KUnit's 255 characters");
    }

    // The item: `[attributes] [pub] mod name { body }`.
    let mut tokens: Vec<TokenTree> = ts.into_iter().collect();
    let body = match tokens.pop() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => g,
        _ => panic!("#[kunit_tests] goes on a module: `mod tests {{ ... }}`"),
    };
    if !tokens.iter().any(|t| matches!(t, TokenTree::Ident(i) if i.to_string() == "mod")) {
        panic!("#[kunit_tests] goes on a module: `mod tests {{ ... }}`");
    }

    // Find `#[test] fn name` and drop the `#[test]` marks.
    let mut cases = Vec::new();
    let mut body_tokens = Vec::new();
    let mut it = body.stream().into_iter().peekable();
    let mut next_is_test = false;
    while let Some(tt) = it.next() {
        if let TokenTree::Punct(p) = &tt {
            if p.as_char() == '#' {
                if let Some(TokenTree::Group(g)) = it.peek() {
                    if g.delimiter() == Delimiter::Bracket && g.stream().to_string() == "test" {
                        it.next();
                        next_is_test = true;
                        continue;
                    }
                }
            }
        }
        if next_is_test {
            if let TokenTree::Ident(i) = &tt {
                if i.to_string() == "fn" {
                    match it.peek() {
                        Some(TokenTree::Ident(name)) => cases.push(name.to_string()),
                        _ => panic!("Expected a function name after `fn`"),
                    }
                    next_is_test = false;
                }
            }
        }
        body_tokens.push(tt);
    }

    let mut generated = String::new();
    // `assert!`/`assert_eq!` declared first shadow the prelude's for the whole module.
    write!(
        generated,
        r#"
        #[allow(unused_macros)]
        macro_rules! assert {{
            ($cond:expr $(,)?) => {{{{
                ::kernel::kunit_assert!("{suite}", file!(), 0, $cond);
            }}}};
        }}
        #[allow(unused_macros)]
        macro_rules! assert_eq {{
            ($left:expr, $right:expr $(,)?) => {{{{
                ::kernel::kunit_assert_eq!("{suite}", file!(), 0, $left, $right);
            }}}};
        }}
        "#
    )
    .unwrap();
    let mut body_stream: TokenStream = generated.parse().unwrap();
    body_stream.extend(body_tokens);

    let mut glue = String::new();
    for case in &cases {
        write!(
            glue,
            r#"
            extern "C" fn kunit_rust_wrapper_{case}(_test: *mut ::kernel::bindings::kunit) {{
                ::kernel::kunit::report_test_result({case}());
            }}
            "#
        )
        .unwrap();
    }
    write!(
        glue,
        "static KUNIT_CASES: ::kernel::kunit::TestCases<{n}> = ::kernel::kunit::TestCases::new([",
        n = cases.len() + 1
    )
    .unwrap();
    for case in &cases {
        write!(
            glue,
            "::kernel::kunit::kunit_case(::kernel::c_str!(\"{case}\"), kunit_rust_wrapper_{case}),"
        )
        .unwrap();
    }
    write!(
        glue,
        r#"::kernel::kunit::kunit_case_null()]);
        ::kernel::kunit_test_suite!({suite}, KUNIT_CASES);
        "#
    )
    .unwrap();
    body_stream.extend(glue.parse::<TokenStream>().unwrap());

    let mut out: TokenStream = tokens.into_iter().collect();
    out.extend([TokenTree::Group(Group::new(Delimiter::Brace, body_stream))]);
    out
}
