//! A minimal W3C WebDriver client (classic protocol; WebKitWebDriver has no BiDi).

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use base64::Engine;
use serde_json::{json, Value};

/// The W3C key of an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One WebDriver session.
#[derive(Debug)]
pub struct Session {
    http: reqwest::Client,
    base: String,
    id: String,
}

/// An element of the page.
#[derive(Clone, Debug)]
pub struct Element(String);

impl Session {
    /// Creates a session for the Tauri app at `application`. Session creation hangs when
    /// the app cannot start (no display), hence the timeout.
    pub async fn start(
        driver_url: &str,
        application: &str,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .context("http client")?;
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "wry",
                    "tauri:options": { "application": application }
                }
            }
        });
        let response: Value = http
            .post(format!("{driver_url}/session"))
            .json(&capabilities)
            .send()
            .await
            .context("POST /session (is the app able to start? is DISPLAY set?)")?
            .json()
            .await?;
        let id = response["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("no session id in {response}"))?
            .to_owned();
        Ok(Self {
            http,
            base: driver_url.to_owned(),
            id,
        })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let url = format!("{}/session/{}{}", self.base, self.id, path);
        let mut request = self.http.request(method, &url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response: Value = request
            .send()
            .await
            .with_context(|| url.clone())?
            .json()
            .await?;
        if let Some(error) = response["value"]["error"].as_str() {
            bail!("{url}: {error}: {}", response["value"]["message"]);
        }
        Ok(response["value"].clone())
    }

    /// Every element matching a CSS selector (possibly none).
    pub async fn find_all(&self, css: &str) -> anyhow::Result<Vec<Element>> {
        let value = self
            .call(
                reqwest::Method::POST,
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await?;
        let Some(items) = value.as_array() else {
            bail!("POST /elements answered {value}, not an array");
        };
        // The W3C key; older drivers answer with `ELEMENT`.
        Ok(items
            .iter()
            .filter_map(|e| {
                e.get(ELEMENT_KEY)
                    .or_else(|| e.get("ELEMENT"))
                    .and_then(Value::as_str)
                    .map(|s| Element(s.to_owned()))
            })
            .collect())
    }

    /// The current document's URL.
    pub async fn url(&self) -> anyhow::Result<String> {
        let value = self.call(reqwest::Method::GET, "/url", None).await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Polls until at least `min` elements match, or fails after `timeout`.
    pub async fn wait_for(
        &self,
        css: &str,
        min: usize,
        timeout: Duration,
    ) -> anyhow::Result<Vec<Element>> {
        let started = Instant::now();
        loop {
            let found = self.find_all(css).await?;
            if found.len() >= min {
                return Ok(found);
            }
            if started.elapsed() > timeout {
                bail!(
                    "waited {timeout:?} for {min} × {css:?}, found {}",
                    found.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Polls until nothing matches `css` (a dialog closed), or fails after `timeout`.
    pub async fn wait_for_none(&self, css: &str, timeout: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            let found = self.find_all(css).await?;
            if found.is_empty() {
                return Ok(());
            }
            if started.elapsed() > timeout {
                bail!(
                    "waited {timeout:?} for {css:?} to go, {} still there",
                    found.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The rendered text of an element.
    pub async fn text(&self, element: &Element) -> anyhow::Result<String> {
        let value = self
            .call(
                reqwest::Method::GET,
                &format!("/element/{}/text", element.0),
                None,
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Clicks an element.
    pub async fn click(&self, element: &Element) -> anyhow::Result<()> {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .await?;
        Ok(())
    }

    /// Scrolls an element to the middle of its scroll containers. WebKitWebDriver refuses
    /// to click an element outside the viewport ("element not interactable") instead of
    /// scrolling a nested scroll container (the console's main area) to it.
    pub async fn scroll_into_view(&self, element: &Element) -> anyhow::Result<()> {
        let mut reference = serde_json::Map::new();
        reference.insert(ELEMENT_KEY.to_owned(), Value::String(element.0.clone()));
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({
                "script": "arguments[0].scrollIntoView({block: 'center', inline: 'nearest'});",
                "args": [Value::Object(reference)],
            })),
        )
        .await?;
        Ok(())
    }

    /// Sets an input's value the way typing reaches React: through the native value
    /// setter, then `input` and `change` events. Typing into a date input depends on the
    /// webview's locale and the order of its fields; this does not. Returns the value the
    /// input holds afterwards (an input refuses what its type cannot hold).
    pub async fn set_value(&self, element: &Element, value: &str) -> anyhow::Result<String> {
        let mut reference = serde_json::Map::new();
        reference.insert(ELEMENT_KEY.to_owned(), Value::String(element.0.clone()));
        let held = self
            .call(
                reqwest::Method::POST,
                "/execute/sync",
                Some(json!({
                    "script": "const [input, value] = arguments; \
                        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set; \
                        setter.call(input, value); \
                        input.dispatchEvent(new Event('input', { bubbles: true })); \
                        input.dispatchEvent(new Event('change', { bubbles: true })); \
                        return input.value;",
                    "args": [Value::Object(reference), value],
                })),
            )
            .await?;
        Ok(held.as_str().unwrap_or_default().to_owned())
    }

    /// Types `text` into an element (an input), as keystrokes.
    pub async fn send_keys(&self, element: &Element, text: &str) -> anyhow::Result<()> {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/value", element.0),
            Some(json!({ "text": text })),
        )
        .await?;
        Ok(())
    }

    /// Runs `script` in the page as an async function body: it gets `arguments` (the
    /// `args`, then a `done` callback last) and its answer is what it passes to `done`.
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> anyhow::Result<Value> {
        self.call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// A PNG screenshot of the window, once what the DOM holds has been painted.
    ///
    /// Two WebKitGTK quirks are handled here. The screenshot comes from the last painted
    /// frame, which can lag the DOM after a large render (a blank page whose rows the test
    /// had just found), so the page is given two animation frames first. And without
    /// accelerated compositing (the app's default on Linux) WebKitWebDriver's snapshot
    /// waits for the next paint, which a page with nothing changing never makes: a
    /// one-pixel, nearly transparent element pulses while the shot is taken.
    pub async fn screenshot(&self) -> anyhow::Result<Vec<u8>> {
        self.call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({
                "script": "const done = arguments[arguments.length - 1]; \
                    if (!document.getElementById('webdriver-shot-pulse')) { \
                      const style = document.createElement('style'); \
                      style.id = 'webdriver-shot-style'; \
                      style.textContent = '@keyframes webdriver-shot-pulse { from { opacity: 0.01 } to { opacity: 0.02 } }'; \
                      document.head.appendChild(style); \
                      const pulse = document.createElement('div'); \
                      pulse.id = 'webdriver-shot-pulse'; \
                      pulse.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px;background:#888;pointer-events:none;animation:webdriver-shot-pulse 0.05s infinite alternate'; \
                      document.body.appendChild(pulse); \
                    } \
                    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));",
                "args": [],
            })),
        )
        .await?;
        let shot = self.call(reqwest::Method::GET, "/screenshot", None).await;
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({
                "script": "for (const id of ['webdriver-shot-pulse', 'webdriver-shot-style']) \
                    document.getElementById(id)?.remove();",
                "args": [],
            })),
        )
        .await?;
        let value = shot?;
        let encoded = value
            .as_str()
            .ok_or_else(|| anyhow!("no screenshot data"))?;
        Ok(base64::engine::general_purpose::STANDARD.decode(encoded)?)
    }

    /// Ends the session (closes the app).
    pub async fn end(self) -> anyhow::Result<()> {
        let url = format!("{}/session/{}", self.base, self.id);
        self.http.delete(url).send().await?;
        Ok(())
    }
}
