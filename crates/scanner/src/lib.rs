//! The pass scanner's decoder: one camera frame (RGBA, as a canvas gives it) in, the text of
//! the first QR code found in it out.
//!
//! It is a Wasm module of its own (built by `cargo xtask` into `dist/work/scanner/`), run in a
//! Web Worker (`worker.js`) that the work app starts only when the scanner opens: neither the
//! resident app nor the work app's first load carries it, and decoding never blocks the page.
//! The pass itself is checked by the app (`domain::market::pass`), not here.

use wasm_bindgen::prelude::wasm_bindgen;

/// The grey level of an RGBA pixel (ITU-R BT.601 weights, in integers).
fn luma(rgba: &[u8]) -> u8 {
    let [r, g, b] = [rgba[0], rgba[1], rgba[2]].map(u32::from);
    ((r * 299 + g * 587 + b * 114) / 1000) as u8
}

/// The text of the first QR code that decodes in a `width` × `height` RGBA frame, if any.
#[wasm_bindgen]
pub fn decode_rgba(rgba: &[u8], width: u32, height: u32) -> Option<String> {
    let (width, height) = (width as usize, height as usize);
    if width == 0 || height == 0 || rgba.len() < width * height * 4 {
        return None;
    }
    decode_grey(width, height, |x, y| luma(&rgba[(y * width + x) * 4..]))
}

/// The text of the first QR code that decodes in a grey image.
pub fn decode_grey(
    width: usize,
    height: usize,
    pixel: impl FnMut(usize, usize) -> u8,
) -> Option<String> {
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, pixel);
    image
        .detect_grids()
        .iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::{Color, QrCode};

    /// A frame as a camera might give it: the code drawn `scale` pixels a module, with a
    /// quiet zone, somewhere in a grey-ish `width` × `height` scene, as RGBA.
    fn frame(text: &str, scale: usize, width: usize, height: usize, at: (usize, usize)) -> Vec<u8> {
        let code = QrCode::new(text.as_bytes()).unwrap();
        let modules = code.width();
        let colors = code.to_colors();
        let mut rgba = vec![0u8; width * height * 4];
        for y in 0..height {
            for x in 0..width {
                // The scene: a soft gradient, like a table under a lamp.
                let mut value = 150 + ((x + y) % 60) as u8;
                let (mx, my) = (x as isize - at.0 as isize, y as isize - at.1 as isize);
                let quiet = 4 * scale as isize;
                let side = (modules * scale) as isize;
                if mx >= -quiet && my >= -quiet && mx < side + quiet && my < side + quiet {
                    value = 250;
                    if mx >= 0 && my >= 0 && mx < side && my < side {
                        let module = (my as usize / scale) * modules + mx as usize / scale;
                        if colors[module] == Color::Dark {
                            value = 20;
                        }
                    }
                }
                rgba[(y * width + x) * 4..][..4].copy_from_slice(&[value, value, value, 255]);
            }
        }
        rgba
    }

    const PASS: &str = "http://127.0.0.1:8080/p#AQABkX3m2yq0Sv2Gk7HnM5t8vQ2b7a3n1m0Lz8yXwVuTsRqPoNmLkJiHgFeDcBa9876543210abcdefghij";

    #[test]
    fn a_pass_url_is_read_from_a_frame_with_a_scene_around_it() {
        let rgba = frame(PASS, 4, 640, 480, (150, 40));
        assert_eq!(decode_rgba(&rgba, 640, 480).as_deref(), Some(PASS));
    }

    #[test]
    fn a_frame_with_no_code_or_too_short_gives_nothing() {
        let blank = vec![200u8; 320 * 240 * 4];
        assert_eq!(decode_rgba(&blank, 320, 240), None);
        assert_eq!(decode_rgba(&blank[..100], 320, 240), None);
        assert_eq!(decode_rgba(&[], 0, 0), None);
    }

    #[test]
    fn luma_weighs_green_most() {
        assert!(luma(&[0, 255, 0, 255]) > luma(&[255, 0, 0, 255]));
        assert!(luma(&[255, 0, 0, 255]) > luma(&[0, 0, 255, 255]));
        assert_eq!(luma(&[255, 255, 255, 255]), 255);
    }
}
