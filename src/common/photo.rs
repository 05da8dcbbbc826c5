//! Photos on the phone: resized and compressed in the browser before they are queued, so
//! a photo never costs more than 300 KB of the outbox, of mobile data, or of the server.

use domain::dialogue::PHOTO_MAX_BYTES;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, File, HtmlCanvasElement, HtmlImageElement, Url};

/// The longest side after resizing: enough to read a crack in a wall, small enough to send.
const LONGEST_SIDE: f64 = 1280.0;

/// A compressed JPEG: base64 for the queue, and a data: URL to show it while queued.
pub struct Compressed {
    pub base64: String,
    pub data_url: String,
}

fn js_error(value: JsValue) -> String {
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

/// Decodes the picked file, draws it at most 1280 px on its longest side, and lowers the
/// JPEG quality (then the size) until it fits in 300 KB.
pub async fn compress(file: File) -> Result<Compressed, String> {
    let url = Url::create_object_url_with_blob(&file).map_err(js_error)?;
    let image = HtmlImageElement::new().map_err(js_error)?;
    image.set_src(&url);
    let decoded = JsFuture::from(image.decode()).await;
    let _ = Url::revoke_object_url(&url);
    decoded.map_err(js_error)?;
    let (width, height) = (image.natural_width() as f64, image.natural_height() as f64);
    if width < 1.0 || height < 1.0 {
        return Err("empty image".into());
    }
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(js_error)?
        .unchecked_into();
    let mut scale = (LONGEST_SIDE / width.max(height)).min(1.0);
    for _ in 0..4 {
        let (w, h) = (
            (width * scale).round().max(1.0),
            (height * scale).round().max(1.0),
        );
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
        let context: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .map_err(js_error)?
            .ok_or("no 2d context")?
            .unchecked_into();
        context
            .draw_image_with_html_image_element_and_dw_and_dh(&image, 0.0, 0.0, w, h)
            .map_err(js_error)?;
        for quality in [0.8, 0.7, 0.6, 0.5] {
            let data_url = canvas
                .to_data_url_with_type_and_encoder_options(
                    "image/jpeg",
                    &JsValue::from_f64(quality),
                )
                .map_err(js_error)?;
            let base64 = data_url
                .split_once(',')
                .map(|(_, b)| b.to_string())
                .unwrap_or_default();
            if base64.len() / 4 * 3 <= PHOTO_MAX_BYTES {
                return Ok(Compressed { base64, data_url });
            }
        }
        scale *= 0.7;
    }
    Err("too large".into())
}
