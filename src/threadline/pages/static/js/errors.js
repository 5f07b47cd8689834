// Human sentences for the API's error codes.  A code not listed here falls back to the
// server's own message (always a sentence); validation errors, whose server text is technical,
// are explained by the field they concern.

function wait(seconds) {
  if (!seconds || seconds < 1) return "a moment";
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

const server = (fallback) => (error) => error.serverMessage || fallback;

const FIELDS = [
  [/^message$/, "Please type a message of up to 2,000 characters."],
  [/^code$/, "Enter the 6-digit code we sent you."],
  [/^name$/, "Please enter your name."],
  [/^email$/, "That email address doesn't look right. Check it, or leave it empty."],
  [/^phone$/, "Enter your 10-digit mobile number, like 98765 43210."],
  [/pincode/, "Enter a 6-digit PIN code, like 560038."],
  [/address/, "Please complete the delivery address: street, city and PIN code."],
  [/store_id/, "Please choose a store."],
  [/qty/, "The quantity must be between 1 and 20."],
  [/reason/, "Please tell us why you're returning these items."],
  [/line_ids/, "Choose at least one item to return."],
];

function invalidInput(error) {
  const field = error.field || "";
  for (const [pattern, text] of FIELDS) if (pattern.test(field)) return text;
  return "Some details aren't right. Please check what you entered and try again.";
}

const MESSAGES = {
  network_error: "We couldn't reach Threadline. Check the connection and try again.",
  invalid_credentials:
    "That phone number and password don't match. Check them and try again, or get a one-time code instead.",
  too_many_attempts: (error) =>
    `Too many attempts. For your security, please wait ${wait(error.retryAfter)} before trying again.`,
  weak_password: (error) =>
    `Please choose a stronger password. ${error.serverMessage || "Use 8 to 128 characters, not only digits."}`,
  already_registered:
    "This phone number already has an account. Log in with your password, or get a one-time code.",
  invalid_phone: "That doesn't look like a mobile number. Enter 10 digits, like 98765 43210.",
  invalid_code: "That code isn't right or has expired. Check the 6 digits, or ask for a new code.",
  delivery_failed:
    "We couldn't send the code just now. Please try again in a moment, or use your password.",
  identity_required: "Please enter your mobile number.",
  customer_mismatch: "That phone number belongs to a different account. Please check it.",
  invalid_channel: "This page is not set up correctly. Please ask a member of staff for help.",
  session_not_found: "Your session has ended. Please log in again.",
  session_token_required: "Please log in to continue.",
  handoff_not_found:
    "This QR code has already been used or has expired. Make a new one on the kiosk, or log in here.",
  product_not_found: "Sorry, that item is no longer in our catalogue.",
  invalid_size: "Please choose one of the sizes shown for this item.",
  out_of_stock: server("Sorry, that item has just sold out in this size."),
  cart_line_not_found: "That item was no longer in your cart. Your cart has been refreshed.",
  cart_full: server("Your cart is full. Remove something before adding more."),
  invalid_coupon: (error) =>
    error.serverMessage
      ? `That coupon can't be used: ${error.serverMessage}`
      : "That coupon code can't be used on this cart.",
  not_enough_points: server("You don't have enough loyalty points for that."),
  empty_cart: "Your cart is empty. Add something before checking out.",
  cart_changed:
    "Prices or offers changed since you last looked. We've updated your cart: please check it and pay again.",
  payment_declined: server("The payment was declined. Nothing was charged and your cart is kept."),
  store_not_found: "We couldn't find that store. Please choose another one from the list.",
  invalid_fulfillment: (error) =>
    /store/.test(error.field || "")
      ? "Please choose the store you'd like to collect from."
      : /address/.test(error.field || "")
        ? "Please enter a delivery address: street, city and a 6-digit PIN code."
        : error.serverMessage || "Please choose how you'd like to receive your order.",
  idempotency_key_required: "Something went wrong with this payment attempt. Please press Pay again.",
  idempotency_key_reused: "Something went wrong with this payment attempt. Please press Pay again.",
  order_not_found: "We couldn't find that order.",
  return_not_allowed: server("This order can't be returned."),
  already_returned: server("That item has already been returned."),
  invalid_line_ids: "Please choose items from this order to return.",
  chat_busy:
    "I'm still working on your previous message. Please wait a moment, then send this again.",
  validation_error: invalidInput,
  malformed_json: "Something went wrong sending that. Please try again.",
  payload_too_large: "That's too long to send. Please shorten it.",
  too_many_requests: (error) =>
    `You're going a little fast. Please wait ${wait(error.retryAfter)} and try again.`,
  database_unavailable: "Our system is busy right now. Please try again in a moment.",
  service_unavailable: "Our system is busy right now. Please try again in a moment.",
  internal_error: "Something went wrong on our side. Please try again.",
};

/** The sentence to show the shopper for an error thrown by `api()` (or anything else). */
export function describe(error) {
  if (!error) return "Something went wrong. Please try again.";
  const known = {
    code: error.code,
    field: error.field,
    retryAfter: error.retryAfter,
    serverMessage: error.status ? error.message : "",
  };
  const entry = MESSAGES[known.code];
  if (typeof entry === "function") return entry(known);
  if (entry) return entry;
  if (known.code && known.code.startsWith("invalid_")) return invalidInput(known);
  return known.serverMessage || "Something went wrong. Please try again.";
}
