"""Ordinary English words, so that no rule mistakes them for a typo or a brand.

Both lists come from zxcvbn's frequency lists (film and TV subtitles, Wikipedia), filtered
once by hand-run scripts; they only need refreshing when the lexicon changes a lot.
"""

from __future__ import annotations

# Frequent words that are no lexicon word: a one-word brand spelt like one of these ("Even",
# "Guess") needs "by" or "brand" next to it before it is read as the brand.
_SPEECH = """
    able academic academy accept accident according accusing acquired across act acted
    acting activities actor added addition additional administration administrative admire
    admit advantage adventure advice affair affect afford afraid africa african after again
    against age agenda ago agree agreement ahem aidan air aircraft airport aisle alarm album
    albums alcazar alcohol alien alive allow allowed almost alone along already although
    always ambulance american among ancient andie angeles anger angry announced annoying
    annual annulment answer answered answering answers anti anxious anybody anyone anytime
    anyway anywhere apart apartment apologize apology apparently appear appearance
    appearances appeared appears appointed appointment appropriate approve approximately
    area areas argue arguing argument arms army arrange arrangements arrest arrested arrived
    art article artist artists arts ashamed asia asian asked asking asks asleep ass assembly
    assignment assistant associated association assume assuming assure attack attempt
    attended attention attic attitude attorney attracted attractive august australia
    australian author authority avenue average avoid avoiding awake award awarded awards
    aware away awful awfully awhile awkward babies background backup badge badly bail
    balance band bar barely barn base based basement basically basis basketball bath
    bathroom battle bay beating beautiful became because become becoming bed bedroom beef
    before began begging begin beginning behavior behind being believe believed believes
    believing belong belongs benefit besides bet betrayed better beyond big bigger biggest
    bike biography biological bit bite blackmail blah blame blaming blanket blast bleeding
    bless blew blind blood bloody blow blowing board boarding boat body bomb bone booked
    books boom border born borrow both bother bothered bothering bought bound bout box
    brains brave bread break breakfast breaking breaks breath breathe breathing bride bridge
    brilliant bring bringing brings britain british broadcast broke broken brothers brought
    bucks buffy building buildings built burn burned burning bury bust busted busy butt
    button buzz cabin cake california called calling calls calm camera cameras campaign
    campus canadian candles cannot capable capacity capital car career careful carefully
    cares caring carly carried carrying cases cassadine castle catch catholic caught cause
    caused cave celebrate celebrating celebration cell census center central centre cents
    century ceremony certainly chair chairman champagne championship championships changes
    changing character characters charm charming chasing cheat cheating checking cheer chef
    chest chick chief chill chip chips chloe chocolate choice choices choose chose christmas
    church cigarette circumstances civil claimed class clean cleaned cleaning cleared
    clearly clever client clients climb clinic clock closed closer closet clown clubs clue
    coach coincidence cold collection colonel columbia coma come comes comfort comin coming
    command commander comment commercial commission commit commitment committed committee
    common commonly community companies company competed competition completed completely
    complex complicated composed concentrate concern concerned condition conditions confess
    confession confidence confident confused congratulations congress connection conscience
    consequences consider considered considering consists constructed construction contact
    contemporary continue continued contract control conversation convicted convince
    convinced cooking copy corinthos corner corporation corps costume council counsel
    counselor count counting countries country county courage court cousin covered crack
    crane crap crawl crazy create created creature creek creep creepy crime crimes criminal
    cris cristian critical crossed crowd cruel crush crying cultural culture cup cure
    current currently curse custody cut cute cutting damn damned dance dancing dangerous
    dare darling darn data dating days deacon dead dealing death december decent decide
    decided decision decisions deck deep deeply defeated defend defending defense degree
    delicious democratic demon demons density deny department depends depressed described
    deserve deserved deserves design designed desk desperate despite dessert destroy
    detective developed development die died dies difference differently difficult digging
    dimera diner dinner direct directed directly director dirt dirty disappear disappeared
    disappoint disappointed disaster discovered discuss discussed discussing discussion
    disgusting distance distribution district divided division divorce divorced doc doctors
    dog doin doll dollars doors doubt doubts down downstairs dozen drag dragged drama drawer
    dream dreamed dreaming drink drinking drinks drive driving dropped dropping drove drug
    drugs drunk due dumb dump dumped dunno during dust dutch duty dying each earlier early
    earned ears earth ease easier east eastern easy eat eaten eating economic edition editor
    education effect effects eggs eighteen eighty either elected election elections elements
    elevator eleven embarrassed embarrassing emergency emotional emotions emperor ended ends
    enemies energy engaged engine engineering england english enjoy enjoyed enjoying enough
    entered entire ephram episode equipment era escape escaped especially established estate
    europe european even event events eventually ever everybody everyone everything
    everywhere evidence evil exact exactly example excellent except excited exciting excuse
    excuses exhausted expect expecting experience expert explain explanation explosion
    extended extremely eye eyes fabulous face faces facilities fact facts fail failed fair
    fairy fake fall falling false familiar families family famous fancy far farm fascinating
    fast fate fault favor favorite fear feature featured february federal feed feel feeling
    feelings feels feet fell fella fellas fellow felt fever few field fifteen fifty fight
    fighting figure figured file files fill filled film films final finally financial
    finding finds finest fingers finish finished fired fits fix fixed fleet flesh flew
    flight floor follow followed following food fool foot footballer force forced forces
    foreign forgetting forgive forgot forgotten form format formation formed former formerly
    forms forrester fort forth fortune forty forward found foundation founded fourteen
    france frankly frasier freak freaked freaking freeze freezing french fresh friend
    friends friendship fries frightened front frozen fruit fuckin fun function funeral funny
    furious furniture further future game games gang garage garbage gate gather gave geez
    general generally generous gentleman genus german germany gets gettin getting giant
    given gives giving glad glasses global goal goals god goddamn gone gonna goodness
    goodnight gorgeous gosh gotta gotten government governor grab grabbed grade graduated
    grams grand grateful grave greater greenlee grief ground group groups grow growth
    guarantee guard guards guess guessing guest guests guilt guilty gun guts habit had hair
    halfway halloween hallway hand handed handle handled handling hands handsome hang
    hanging happen happened happening happens happier happily happiness happy hard harder
    hardly harm harmony hated hates having head headache headed heading heads heal health
    healthy hear heard hearing heart heat heavy held hell helped helpful helping helps hero
    hers herself hide hiding highly highway himself hint hire hired his historic historical
    history hit hitting holding hole holidays holy homework honest honestly honesty honey
    honeymoon honor hook hooked hope hoped hopefully hopes hoping horrible hospital host
    hotel hour house households houses housing however https huge huh humor hundred hungry
    hurry hurt hurting hurts ice idea ideas idiot ignore illegal imagination imagine
    imagined immediately important impossible impressed impression impressive inch include
    included includes including income incredible incredibly indeed independent india
    individual individuals industrial industry influence initial initially innocent inside
    insist inspector instincts institute insurance intend intended intense intention
    interest interesting interfere international interrupt interrupting introduce introduced
    investigation invitation invite invited involved iran ireland irish iron island islands
    issue issued issues italian italy itself jail january japan japanese jax jealous jeez
    jen jerk jersey jewish jobs join joined jokes joking journal judge judgment july jump
    jumping june junk jury keeping keeps kept kick kicked kicking kidding kidnapped
    kidnapping kill killed killing kills kinda kinds kingdom kiss kissed kissing kitchen
    knees knew knife knock knocked know knowing known knows label lake lame land language
    languages larger largest late lately latest latin latter laugh laughing launched laundry
    law lawyer lead leader leadership leading league learn learned least leaving lecture led
    legal legs length lesson letter letting level levels lexie liar library license lie lied
    lies life lifetime lift liked likely likes limited limo line lines lips listed listen
    listened listening literally literature lived liver lives living livvie llanview loaded
    lobby local lock locked locker lonely longer looked lookin looks lord lorelai los lose
    losing loss lost lots loud lousy loved loves loving loyal luck lunch lying mad magazine
    magical maid mail mainly major majority makes making mall mama manage managed management
    mansion marah march maris market married marry marrying mass massimo mate mateo math
    matter matters may mayor meal mean meaning means meant meantime meat medal media median
    medical medication meet members memories memory mental mention mess message messages
    messed messing met metal method mid middle might mile military milk million millions
    minds minister ministry minute minutes miracle mirror miserable misery miss missed
    missing mission mistake mistakes misunderstanding mmm model modern moment moments month
    months mood moral mortal most mostly motel motive mount mouth move moved movement moves
    movie movies moving mrs multiple municipality murder murdered murderer museum music
    musical must myself mysterious mystery named names nate nation national nations native
    natural naturally nature naval nbsp nearly neat necessarily necessary needed needs
    neighbor neighbors neither nerve nervous network news newspaper nightmare nights nikolas
    niles ninety nobody noise non none nonsense normal north northern notable note noted
    nothin nothing notice noticed novel november nowhere numerous nurse nurses nuts oakdale
    obsessed obvious obviously occasion october odds offering officer official officially
    often ohio old olympics once onto ooh oooh oops opened opera operated operating
    operation operations opinion opportunity ordinary organization original originally
    otherwise ouch ought our ours ourselves outside outta overall overnight owe own owned
    owns pacey pacific pack packed packing paid pain painful panic paper papers paperwork
    paranoid pardon parent paris parish park parking parliament particular particularly
    partner passed pathetic pennsylvania people per percent perfectly performance performed
    perhaps period permission personal personality personally perspective pheebs phoebe
    phones phony photo picked picking pills piss pissed pity placed places plan plane
    planning plans plate play played players playing plays pleasant pleased pleasure plenty
    plot plus poker poland policy political politician politics poor popular population port
    position possibility possible possibly post pound pounds power powerful practically
    practice pray praying pregnancy pregnant prepare prepared present presented presents
    president press pressure pretend pretending pretty previously pride primarily primary
    prime prior priority prison prisoner privacy prize probably problem problems procedure
    process produce produced producer production professional professor program programs
    project projects prominent promise promised promises promoted proof proper property
    propose proposed protect protecting proteus proud prove provide provided provides
    province prue psychiatrist public published pull pulled pulling punch punishment push
    pushed pushing puts putting quartermaine queen question questioning questions quick
    quickly quiet quit quite race races radar radio rafe railway rain raise raised raising
    ran rappaport rate rather reach reached react read reading reality realize realized
    realm reason reasons recall received recent recently recognize record recorded recording
    records recovery refer references referred refuse regiment region regional regret
    related relationship relationships relax release released relieved religious remained
    remaining remains remember remembered remembering remind reminded reminds renamed rent
    repeat replaced report reported reporter represented republic republican reputation
    required research residents resist respect response responsibility responsible
    restaurant result results retired revenge ride ridge ridiculous riding rights ring rings
    risk river road rock role roll rolling romance romantic roof room roommate rope rough
    route routine roxy rude rugby ruin ruined rule rules run runs rural russian sacrifice
    safe saint sake sakes salad salem san sand sandburg sandwich satisfied saturday sauce
    save saved saving saw say saying says scared scene schedule schools science score scored
    scratch screaming screw screwed season seasons seat secondary seconds secretary secrets
    section secure seeing seem seemed seems seen sees selected selfish senate sending senior
    sense sensitive sent sentence separate september sergeant series serious seriously serve
    served services serving settle settlement seventy several sex shake shaking shame share
    sharing she sheridan sheriff shhh ships shoot shooting shoulder showed shower showing
    shown shows shrink side sight sign signature signed significant signs silence silent
    silly similar since sing singer singing single sink sisters sit site sitting situation
    sixteen sixty skin skye sleep sleeping slept slip slow slowly smaller smell smells smile
    smiling smoking snap sneak soap social society soda solve someday somehow someplace
    somethin sometime sometimes somewhere song songs sonny sookie soon sooner sorry soul
    sound sounded soup source sources south southern soviet space spain spanish spare
    speaking special species specific speech speed spell spend spending spent spin spit
    spoil spoke spoken spot springfield squadron squeeze stadium stage stairs stake stamp
    stand standard standing staring stars start started starting starts starving state
    stated statement station stations stay stayed staying stays steady steal stealing
    stenbeck step stepped steps stick sticking still stomach stood stopped stopping stops
    story strange strangers street strength stress stroke stronger structure stubborn stuck
    student students studied studio studying stuff subject subsequently successful such
    sudden suddenly suffer suffering suggesting suicide suite suits supported supportive
    suppose supposed surely surface surgeon surgery surprise surprised surprises
    surveillance survive suspect suspicious swear sweet sweetheart sweetie swim swing
    switched swore symptoms system systems table taggert tail taken takes taking talent
    talked talkin talking talks tall tape taste teach teams tears technically technology
    teeth telephone television telling tells temple tend tense tension term terms terrible
    terribly terrific terrified territory testify testimony tests texas thanksgiving theatre
    thee their themselves theory therapist therapy therefore they thick thief thin think
    thinking thinks thirty though thought thoughts thousand threat threaten threatened
    threatening threats threw thrilled throat through throughout throw throwing thrown
    thursday thus ticket tickets till time tiny tired title toast today together toilet told
    tomorrow tongue tonight took tool torn torture totally touch touched touching tough tour
    tournament towards towel tower town township tracks trade tragedy train transferred
    transport trap trapped trash trauma treat treated treating treatment tree trial tricks
    tried troops true truly trunk trust trusted truth trying turn turned turning turns
    twelve twenty twice twins twist types typically unbelievable uncomfortable unconscious
    underneath understand understanding understands understood unfair unfortunately unhappy
    uniform union unit united units universe university unless until unusual upon upset
    upstairs urban urgent used useless uses usual usually valley vampires variety various
    vegas version via vice victim video viki village violent virus voice vote vows
    vulnerable waited waiting waitress wake wales walk walked walks wanting wants war
    warehouse warn warned warning warrant waste wasted wasting watching water way ways weak
    weapon website week weird went western wheel whenever wherever whether whew whip whoa
    whoever whole whom whoo whose wide wild willing win wind window wing winning wipe wire
    wish wishes without witness witnesses woke won wonder wondered wonderful wondering word
    words wore worked workers working works world worried worries worry worrying worse worst
    worth wound wrap wrapped wreck writer writing written wrong wrote xander years yell
    yelling yesterday york yours yourself yourselves youth zach zander zealand zero
"""
SPEECH_WORDS = frozenset(_SPEECH.split())

# Correctly spelt words within a typo or two of a lexicon word ("chat"/"coat", "rest"/"rust"),
# so the typo fixer leaves them alone: the 30,000 most frequent subtitle words and 20,000 of
# Wikipedia that it would otherwise have changed (plurals of lexicon words left out: "towel"
# may well become "towels").
_LOOKALIKES = """
    agitators amen animators ankle ankles apex avatars backtrack baffles bamberg bandage
    bandanna banding bangla bangler bania barbuda barisan bars bats baubles beakers bearers
    beat beatnik beats beenie bela beliefs bells belus bent bets bhima blacked blacken
    bladder bladders blankie blather blazes blige blown bluer bluey boers boggles boilers
    bolts bombed bonuses bosnian bothers bottomed bowlers boxes bracket brackets brackley
    brag brags brash brat brats bravenet brays briefed briefly brokers bronzed bugs bundles
    bungled burundi came cameo camp camps canceled cancers cape capes captains carbs cardiac
    cardinals cared cargoes cars cartons case casinos cast catches certain chance chancel
    chances chandos changed changi changin channel chanted chapels chapped chaps chapter
    charge charged charges chasm chat chats cheapen cheaply cheated cheaters checkup china
    chinese chink chinks chins chios chopped choral chorale chuppah churches clash cleaner
    clearer cliches clinches clutched coal coals coast coasts coldest collected collector
    colt colts conceal contain contains coolest copier copped cops cord cordial cords
    corneal couches cowards cowper craps crash creak creamed credited creditor croat croats
    cropped crunches crutch crutches cups curtail debrief debt debut deceased decreased
    decrees deflate deities delegate deleted denials denies deplete depleted depress derives
    detailed detente digress dilly discounted disjoint dismount dregs dressed dresser dressy
    drossos dulli duress earning earnings enchante erasing ethic ethniki excessive exchanged
    exchanger expansive expense explosive expressive extensive feats flags flaps flatters
    flaws floated floats flock flocks fragrant ghali ghazi globes gobbles goin goons greed
    greek greet grew grooves grown halts handing harts heals heats hells hits hobbies hoods
    hooey hooky horsies incense increased indio inigo interwar jackals jacked jackers
    jeweler jewelers jockeys jumped junkers junta jyoti kamal kamerev kanal kharkiv kolhapur
    kurdish kurten launder lawyers leaders lingering lingers loaner lockers lodgers loners
    lowered madrasa madurai magnets mali mami marooned maui midrash muffled mufti mustafi
    mustered neckline nighter offends offense offered officers offsets older olivet ordered
    orderly ordover outlive overcome overload pact paint paints panes pangs papal papayas
    paramus parents part parts past pasts patents patient payable peace peasant penchant
    pending pennant perch perfumed perjure phoneme phonemes phrases pigment pimps pine pint
    pints planets plant plants poach pointe pointed pointers pointy pole poles polio polis
    poll polls polonia pomona pool pools preach preachy premier premios premise presume
    prune puffed puke pulse pulses pumas punk punts pure puree purge purges purpose purposes
    pursue pursued pursuers pursues pushover quantico quantify rebound receive recommended
    recover recurve referee refined refused refuted remodel remore remorse remote removal
    removed remover resolve rest returned returner reverse revolve roust rupaiya rupaye
    rupiya sack sacks saddled saddles sadiq said sami sandbag sandbar sandovals sarge sark
    sarris saudi scandal scandals scar scare scares scarier scariest scarred scars scary
    scepter scepters scrapes screens seater seekers shacked shackle shackled shackles shaded
    shadows shakers shakes shales shankara shapes shareef shares sharifa shaves shelter
    shelters shiatsu shift shifts shiller shire shit shits shock shocked shocks shone shoo
    shoots shoppers shore shorted shorten shortest shortly shot shots shouts shove shovels
    shoves shree shri shut sick sides silvery sincere singles siree skaters skeeters skipped
    skippers skits slackers slander slapped slayers slender slicery slices slide slimmer
    slipped slippin slither slithers smacked smacks smelter snacks sneaked sneakin snipers
    snippets snyders soak sockets soldiers sole sort sorts spades speakers specter spiders
    spirits spree stables stacked stacks stale startup startups starved states stathis stats
    statue statues stature statute statutes stealer steamer steamers stele stoke stolen
    stoli stoolie stopper storeys stories stove stoves stratum streets strides strippers
    strokes strolls stubs studies studios study subclass suggested sundaes sundays sunless
    sweated sweatin sweeter tack tear tess thermos tides tied tiles times tips tires toes
    tone tones tonic tonics tons topes topi topsy tore toss toto towelie towers toys trace
    trach tracked trackers tract traders tradition traditionally traditions trailed trailer
    trained trainee trainees trainin trainors trainsets traitor traitors transitional
    trappers travers trawler trawlers trees trick trouper troupes tunings tunis turnips
    undersea underway underwent vast vent vents vista walled watcha watched watchers watchin
    watchit wedged wedgies whatcha while whine whistle whit whiter whitest whitter widgets
    witch witches write
"""
TYPO_LOOKALIKES = frozenset(_LOOKALIKES.split())

COMMON_WORDS = SPEECH_WORDS | TYPO_LOOKALIKES
