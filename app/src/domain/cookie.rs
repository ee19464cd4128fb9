//! Reading one cookie from a request's `Cookie` header values.

/// The value of the first cookie called `name`, if the request carries one.
pub fn value<'a>(headers: impl IntoIterator<Item = &'a str>, name: &str) -> Option<&'a str> {
    headers
        .into_iter()
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_named_cookie_is_found_in_any_header() {
        let headers = ["a=1; tabel_lang=en", "b=2;c=3"];
        assert_eq!(super::value(headers, "tabel_lang"), Some("en"));
        assert_eq!(super::value(headers, "c"), Some("3"));
        assert_eq!(super::value(headers, "lang"), None);
    }
}
